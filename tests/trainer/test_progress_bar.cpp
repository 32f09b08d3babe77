// trainer::ProgressBar: the rendered lines (exact strings), the redraw cadence in and out of a
// terminal, and silence when disabled. A fake clock makes every time deterministic.
#include <gtest/gtest.h>

#include <sstream>

#include <accel/tensor/error.h>
#include <accel/trainer/progress_bar.h>

using accel::trainer::format_duration;
using accel::trainer::format_rate;
using accel::trainer::ProgressBar;
using accel::trainer::ProgressState;
using accel::trainer::render_interactive_line;
using accel::trainer::render_log_line;

namespace {

// Characters per code point, to measure unicode lines.
size_t columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

struct FakeClock {
  double now = 100.0;
  std::function<double()> fn() {
    return [this] { return now; };
  }
};

}  // namespace

TEST(ProgressBarFormat, Durations) {
  EXPECT_EQ(format_duration(0), "00:00");
  EXPECT_EQ(format_duration(12.9), "00:12");
  EXPECT_EQ(format_duration(61), "01:01");
  EXPECT_EQ(format_duration(3599), "59:59");
  EXPECT_EQ(format_duration(3600 + 62), "1:01:02");
  EXPECT_EQ(format_duration(-5), "00:00");
}

TEST(ProgressBarFormat, Rates) {
  EXPECT_EQ(format_rate(0, 0), "?it/s");
  EXPECT_EQ(format_rate(10, 0), "?it/s");
  EXPECT_EQ(format_rate(69, 2.0), "34.50it/s");
  EXPECT_EQ(format_rate(1, 2.5), "2.50s/it");
}

TEST(ProgressBarRender, InteractiveAsciiLine) {
  ProgressState state{.n = 420, .total = 1000, .elapsed_s = 12.0, .loss = 0.42314};
  // 42% of a 20-column bar is 8.4 columns: 8 full blocks.
  std::string suffix = "| 420/1000 [00:12<00:16, 35.00it/s, loss=0.4231]";
  std::string prefix = "train:  42%|";
  int width = static_cast<int>(prefix.size() + 20 + suffix.size());
  EXPECT_EQ(render_interactive_line("train", state, width, /*ascii=*/true),
            prefix + "########            " + suffix);
}

TEST(ProgressBarRender, InteractiveUnicodeLineHasPartialBlocksAndExactWidth) {
  ProgressState state{.n = 420, .total = 1000, .elapsed_s = 12.0};
  std::string line = render_interactive_line("eval", state, 80, /*ascii=*/false);
  EXPECT_EQ(columns(line), 80u);
  EXPECT_EQ(line.rfind("eval:  42%|████", 0), 0u) << line;
  // 80 - len("eval:  42%|") - len("| 420/1000 [00:12<00:16, 35.00it/s]") = 34 columns; 0.42 * 34 * 8 = 114.24
  // eighths: 14 full blocks and a 2/8 block.
  std::string blocks;
  for (int i = 0; i < 14; ++i) blocks += "█";
  EXPECT_NE(line.find("|" + blocks + "▎" + std::string(19, ' ') + "| 420/1000"), std::string::npos) << line;
  EXPECT_EQ(line.substr(line.size() - 35), "| 420/1000 [00:12<00:16, 35.00it/s]");
}

TEST(ProgressBarRender, FullAndEmptyBars) {
  ProgressState done{.n = 4, .total = 4, .elapsed_s = 2.0};
  EXPECT_EQ(render_interactive_line("", done, 40, true), "100%|######| 4/4 [00:02<00:00, 2.00it/s]");
  ProgressState start{.n = 0, .total = 4, .elapsed_s = 0.0};
  EXPECT_EQ(render_interactive_line("", start, 30, true), "  0%|   | 0/4 [00:00<?, ?it/s]");
}

TEST(ProgressBarRender, NarrowTerminalCutsTheLineWithoutBreakingUtf8) {
  ProgressState state{.n = 1, .total = 3, .elapsed_s = 1.0};
  std::string line = render_interactive_line("train", state, 10, false);
  EXPECT_EQ(line, "train:  33");
  EXPECT_EQ(columns(render_interactive_line("€€€€€€€€€€€€", state, 7, false)), 7u);
}

TEST(ProgressBarRender, UnknownTotalShowsCountAndRate) {
  ProgressState state{.n = 7, .total = 0, .elapsed_s = 2.0, .loss = 1.5};
  EXPECT_EQ(render_interactive_line("x", state, 36, true), "x: 7it [00:02, 3.50it/s, loss=1.5]  ");
  EXPECT_EQ(render_log_line("x", state), "x 7 elapsed 00:02 3.50it/s loss=1.5");
}

TEST(ProgressBarRender, LogLine) {
  ProgressState state{.n = 420, .total = 1000, .elapsed_s = 12.0, .loss = 0.42314};
  EXPECT_EQ(render_log_line("train", state), "train 420/1000 (42%) elapsed 00:12 eta 00:16 35.00it/s loss=0.4231");
}

TEST(ProgressBar, InteractiveRedrawsInPlaceAndEndsTheLine) {
  std::ostringstream out;
  FakeClock clock;
  ProgressBar bar(4, {.description = "train", .stream = &out, .interactive = true, .ascii = true, .width = 50,
                      .min_redraw_interval_s = 0.1, .clock = clock.fn()});
  EXPECT_EQ(out.str(), "\r" + render_interactive_line("train", {.n = 0, .total = 4}, 50, true));
  clock.now += 1.0;
  bar.update(1, 2.0);
  clock.now += 0.05;  // inside the redraw interval: no redraw
  bar.update(1);
  clock.now += 1.0;
  bar.update(1);
  bar.update(1);  // same instant: no redraw
  bar.close();
  bar.close();  // second close does nothing
  std::string expected = "\r" + render_interactive_line("train", {.n = 0, .total = 4}, 50, true) + "\r" +
                         render_interactive_line("train", {.n = 1, .total = 4, .elapsed_s = 1.0, .loss = 2.0}, 50, true) +
                         "\r" +
                         render_interactive_line("train", {.n = 3, .total = 4, .elapsed_s = 2.05, .loss = 2.0}, 50, true) +
                         "\r" +
                         render_interactive_line("train", {.n = 4, .total = 4, .elapsed_s = 2.05, .loss = 2.0}, 50, true) +
                         "\n";
  EXPECT_EQ(out.str(), expected);
  EXPECT_EQ(out.str().find('\n'), out.str().size() - 1);
  EXPECT_EQ(bar.n(), 4);
}

TEST(ProgressBar, NonInteractivePrintsOneLinePerIntervalAndAtClose) {
  std::ostringstream out;
  FakeClock clock;
  ProgressBar bar(100, {.description = "eval", .stream = &out, .interactive = false, .log_interval_s = 10.0,
                        .clock = clock.fn()});
  EXPECT_EQ(out.str(), "");  // nothing before the first interval
  for (int i = 0; i < 100; ++i) {
    clock.now += 0.25;
    bar.update();
  }
  bar.close();
  // 25 seconds: lines at 10 s (n=40) and 20 s (n=80), then the final one.
  EXPECT_EQ(out.str(), "eval 40/100 (40%) elapsed 00:10 eta 00:15 4.00it/s\n"
                       "eval 80/100 (80%) elapsed 00:20 eta 00:05 4.00it/s\n"
                       "eval 100/100 (100%) elapsed 00:25 eta 00:00 4.00it/s\n");
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(ProgressBar, NonTerminalStreamDefaultsToPlainLines) {
  std::ostringstream out;
  ProgressBar bar(2, {.stream = &out});
  EXPECT_FALSE(bar.interactive());
}

TEST(ProgressBar, DisabledPrintsNothing) {
  std::ostringstream out;
  FakeClock clock;
  {
    ProgressBar bar(3, {.stream = &out, .interactive = true, .enabled = false, .clock = clock.fn()});
    clock.now += 100;
    bar.update(3, 1.0);
    EXPECT_EQ(bar.n(), 3);
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressBar, DestructorClosesTheBar) {
  std::ostringstream out;
  { ProgressBar bar(1, {.stream = &out, .interactive = false}); }
  EXPECT_EQ(out.str().rfind("0/1 (0%)", 0), 0u) << out.str();
}

TEST(ProgressBar, RejectsBadArguments) {
  EXPECT_THROW(ProgressBar(1, {.width = 0}), accel::Error);
  EXPECT_THROW(ProgressBar(1, {.log_interval_s = -1}), accel::Error);
  std::ostringstream out;
  ProgressBar bar(1, {.stream = &out});
  EXPECT_THROW(bar.update(-1), accel::Error);
}
