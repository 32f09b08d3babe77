#pragma once
// trainer::ProgressBar: a terminal progress bar for one loop (a train or eval epoch), in the spirit
// of tqdm. In a terminal it redraws one line in place with '\r':
//
//   train  42%|████████▍           | 420/1000 [00:12<00:17, 34.50it/s, loss=0.4231]
//
// When the output is not a terminal (a CI log, a file) a redrawn line would come out as thousands
// of fragments, so it prints a plain line at most every `log_interval_s` seconds and one at the end:
//
//   train 420/1000 (42%) elapsed 00:12 eta 00:17 34.50it/s loss=0.4231
//
// A disabled bar (non-zero local rank in a multi-process run) prints nothing.
//
//   trainer::ProgressBar bar(loader.size(), {.description = "train"});
//   for (auto& batch : loader) { ...; bar.update(1, loss); }
//   bar.close();
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace accel::trainer {

struct ProgressBarOptions {
  std::string description;     // printed first ("train", "eval"); may be empty
  std::ostream* stream = nullptr;  // nullptr: std::cout
  // nullopt: redraw in place exactly when the stream is std::cout or std::cerr and that is a terminal.
  std::optional<bool> interactive = std::nullopt;
  bool enabled = true;    // false: no output at all
  bool ascii = false;     // '#' blocks instead of unicode eighth blocks (terminals without UTF-8)
  // Terminal line width; nullopt: the terminal's width (80 when unknown). Interactive only.
  std::optional<int> width = std::nullopt;
  double min_redraw_interval_s = 0.1;  // interactive: redraws at most this often (and at close)
  double log_interval_s = 10.0;        // non-interactive: a line at most this often (and at close)
  // Seconds on a monotonic clock; tests substitute a fake one.
  std::function<double()> clock = nullptr;
};

// What one rendered line shows.
struct ProgressState {
  int64_t n = 0;          // steps done
  int64_t total = 0;      // steps expected; 0 or less: unknown (no percentage, bar or ETA)
  double elapsed_s = 0;   // since the bar started
  std::optional<double> loss = std::nullopt;
};

// "mm:ss", or "h:mm:ss" from one hour on (tqdm's format).
std::string format_duration(double seconds);
// "34.50it/s", or "2.35s/it" below one step per second; "?it/s" before any step.
std::string format_rate(int64_t n, double elapsed_s);
// The in-place line, padded or cut to `width` columns (the bar takes what the text leaves).
std::string render_interactive_line(const std::string& description, const ProgressState& state, int width,
                                    bool ascii);
// The one-line log entry of a non-interactive bar.
std::string render_log_line(const std::string& description, const ProgressState& state);

class ProgressBar {
 public:
  explicit ProgressBar(int64_t total, ProgressBarOptions options = {});
  ~ProgressBar();  // closes the bar if close() was not called
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Advances by n steps; `loss` (when given) is shown from now on.
  void update(int64_t n = 1, std::optional<double> loss = std::nullopt);
  // Prints the final state and, interactively, ends the line. Later calls do nothing.
  void close();

  int64_t n() const { return state_.n; }
  int64_t total() const { return state_.total; }
  bool interactive() const { return interactive_; }
  bool enabled() const { return options_.enabled; }

 private:
  double now() const;
  void draw();

  ProgressBarOptions options_;
  std::ostream* stream_;
  bool interactive_;
  int width_;
  ProgressState state_;
  double start_s_;
  double last_draw_s_;
  bool closed_ = false;
};

}  // namespace accel::trainer
