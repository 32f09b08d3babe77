#pragma once
// Thread-local switches of the autograd layer: whether ops record gradients, and anomaly mode.
namespace accel {
namespace autograd {

struct GradMode {
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  static inline thread_local bool enabled_ = true;
};

// Ops in scope record nothing (inference, optimizer steps, weight updates).
class NoGradGuard {
 public:
  NoGradGuard() : previous_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Re-enables recording inside a NoGradGuard scope.
class EnableGradGuard {
 public:
  EnableGradGuard() : previous_(GradMode::is_enabled()) { GradMode::set_enabled(true); }
  ~EnableGradGuard() { GradMode::set_enabled(previous_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

// Anomaly mode: every recorded op checks its outputs, and every backward node its gradients, for
// NaN and Inf, and throws an Error naming the op, its input shapes and the current module.
struct AnomalyMode {
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  static inline thread_local bool enabled_ = false;
};

class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool enabled = true) : previous_(AnomalyMode::is_enabled()) {
    AnomalyMode::set_enabled(enabled);
  }
  ~DetectAnomalyGuard() { AnomalyMode::set_enabled(previous_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

// The name of the module whose forward is running (set by nn::Module), for anomaly reports.
class ModuleNameScope {
 public:
  explicit ModuleNameScope(const char* name) : previous_(current_) { current_ = name; }
  ~ModuleNameScope() { current_ = previous_; }
  ModuleNameScope(const ModuleNameScope&) = delete;
  ModuleNameScope& operator=(const ModuleNameScope&) = delete;
  static const char* current() { return current_; }

 private:
  const char* previous_;
  static inline thread_local const char* current_ = nullptr;
};

}  // namespace autograd

using autograd::EnableGradGuard;
using autograd::NoGradGuard;

}  // namespace accel
