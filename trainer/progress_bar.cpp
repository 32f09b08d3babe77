#include <accel/trainer/progress_bar.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <accel/tensor/error.h>

namespace accel::trainer {

namespace {

constexpr int kDefaultWidth = 80;

// Columns a UTF-8 string takes: one per code point (continuation bytes are 10xxxxxx).
int display_columns(const std::string& text) {
  return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string format_loss(double loss) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "loss=%.4g", loss);
  return buffer;
}

double percentage(const ProgressState& state) {
  return 100.0 * static_cast<double>(state.n) / static_cast<double>(state.total);
}

// The remaining time at the average rate so far; "?" before there is one.
std::string format_eta(const ProgressState& state) {
  if (state.n <= 0 || state.elapsed_s <= 0 || state.n >= state.total) {
    return state.n >= state.total ? format_duration(0) : "?";
  }
  double rate = static_cast<double>(state.n) / state.elapsed_s;
  return format_duration(static_cast<double>(state.total - state.n) / rate);
}

// `columns` wide, filled to `fraction` with full blocks and one partial block (eighths).
std::string render_bar(double fraction, int columns, bool ascii) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  std::string bar;
  if (ascii) {
    int full = static_cast<int>(fraction * columns);
    bar.append(full, '#');
    bar.append(columns - full, ' ');
    return bar;
  }
  static const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  int eighths = static_cast<int>(fraction * columns * 8);
  int full = eighths / 8;
  int partial = eighths % 8;
  for (int i = 0; i < full; ++i) bar += "█";
  int used = full;
  if (partial > 0) {
    bar += kEighths[partial];
    ++used;
  }
  bar.append(columns - used, ' ');
  return bar;
}

// The width of the terminal behind std::cout / std::cerr; 0 when there is none.
int terminal_columns(const std::ostream* stream) {
  int fd = stream == &std::cout ? STDOUT_FILENO : stream == &std::cerr ? STDERR_FILENO : -1;
  winsize size{};
  if (fd < 0 || ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

bool is_terminal(const std::ostream* stream) {
  if (stream == &std::cout) return isatty(STDOUT_FILENO) == 1;
  if (stream == &std::cerr) return isatty(STDERR_FILENO) == 1;
  return false;
}

double monotonic_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string format_duration(double seconds) {
  auto total = static_cast<int64_t>(std::max(0.0, seconds));
  int64_t hours = total / 3600;
  int64_t minutes = total / 60 % 60;
  int64_t secs = total % 60;
  char buffer[48];
  if (hours > 0) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", static_cast<long long>(hours),
                  static_cast<long long>(minutes), static_cast<long long>(secs));
  } else {
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld", static_cast<long long>(minutes),
                  static_cast<long long>(secs));
  }
  return buffer;
}

std::string format_rate(int64_t n, double elapsed_s) {
  if (n <= 0 || elapsed_s <= 0) return "?it/s";
  double rate = static_cast<double>(n) / elapsed_s;
  char buffer[48];
  if (rate >= 1.0) {
    std::snprintf(buffer, sizeof buffer, "%.2fit/s", rate);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2fs/it", 1.0 / rate);
  }
  return buffer;
}

std::string render_interactive_line(const std::string& description, const ProgressState& state, int width,
                                    bool ascii) {
  std::string prefix = description.empty() ? "" : description + ": ";
  std::string suffix;
  std::string details = format_rate(state.n, state.elapsed_s);
  if (state.loss) details += ", " + format_loss(*state.loss);
  std::string line;
  if (state.total > 0) {
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3.0f%%|", percentage(state));
    prefix += percent;
    suffix = "| " + std::to_string(state.n) + "/" + std::to_string(state.total) + " [" +
             format_duration(state.elapsed_s) + "<" + format_eta(state) + ", " + details + "]";
    int bar_columns = width - display_columns(prefix) - display_columns(suffix);
    line = bar_columns > 0 ? prefix + render_bar(static_cast<double>(state.n) / state.total, bar_columns, ascii) + suffix
                           : prefix + suffix;
  } else {
    line = prefix + std::to_string(state.n) + "it [" + format_duration(state.elapsed_s) + ", " + details + "]";
  }
  int columns = display_columns(line);
  if (columns < width) {
    line.append(width - columns, ' ');
  } else if (columns > width) {
    // Cut at a code-point boundary so a partial block never leaves half a UTF-8 sequence.
    size_t end = 0;
    for (int kept = 0; end < line.size(); ++end) {
      if ((static_cast<unsigned char>(line[end]) & 0xC0) != 0x80 && kept++ == width) break;
    }
    line.resize(end);
  }
  return line;
}

std::string render_log_line(const std::string& description, const ProgressState& state) {
  std::string line = description.empty() ? "" : description + " ";
  line += std::to_string(state.n);
  if (state.total > 0) {
    char percent[16];
    std::snprintf(percent, sizeof percent, " (%.0f%%)", percentage(state));
    line += "/" + std::to_string(state.total) + percent;
  }
  line += " elapsed " + format_duration(state.elapsed_s);
  if (state.total > 0) line += " eta " + format_eta(state);
  line += " " + format_rate(state.n, state.elapsed_s);
  if (state.loss) line += " " + format_loss(*state.loss);
  return line;
}

ProgressBar::ProgressBar(int64_t total, ProgressBarOptions options)
    : options_(std::move(options)), stream_(options_.stream ? options_.stream : &std::cout) {
  ACCEL_CHECK(options_.min_redraw_interval_s >= 0 && options_.log_interval_s >= 0,
              "ProgressBar: the redraw and log intervals must not be negative (got ", options_.min_redraw_interval_s,
              " and ", options_.log_interval_s, ")");
  ACCEL_CHECK(!options_.width || *options_.width > 0, "ProgressBar: width must be positive (got ",
              options_.width.value_or(0), ")");
  interactive_ = options_.interactive.value_or(is_terminal(stream_));
  // One column less than the terminal: a line that fills it exactly would wrap on some terminals.
  int terminal = terminal_columns(stream_);
  width_ = options_.width.value_or(terminal > 1 ? terminal - 1 : kDefaultWidth);
  state_.total = total;
  start_s_ = now();
  last_draw_s_ = start_s_;
  if (options_.enabled && interactive_) draw();
}

ProgressBar::~ProgressBar() {
  try {
    close();
  } catch (...) {
    // A failing stream must not turn stack unwinding into std::terminate.
  }
}

double ProgressBar::now() const { return options_.clock ? options_.clock() : monotonic_seconds(); }

void ProgressBar::update(int64_t n, std::optional<double> loss) {
  ACCEL_CHECK(n >= 0, "ProgressBar::update: n must not be negative (got ", n, ")");
  if (closed_) return;
  state_.n += n;
  if (loss) state_.loss = loss;
  if (!options_.enabled) return;
  double t = now();
  double interval = interactive_ ? options_.min_redraw_interval_s : options_.log_interval_s;
  if (t - last_draw_s_ >= interval) {
    last_draw_s_ = t;
    draw();
  }
}

void ProgressBar::close() {
  if (closed_) return;
  closed_ = true;
  if (!options_.enabled) return;
  draw();
  if (interactive_) *stream_ << '\n' << std::flush;
}

void ProgressBar::draw() {
  state_.elapsed_s = now() - start_s_;
  if (interactive_) {
    *stream_ << '\r' << render_interactive_line(options_.description, state_, width_, options_.ascii) << std::flush;
  } else {
    *stream_ << render_log_line(options_.description, state_) << '\n' << std::flush;
  }
}

}  // namespace accel::trainer
