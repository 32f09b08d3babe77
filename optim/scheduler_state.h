#pragma once
// SchedulerState: the named values a scheduler saves, written as one JSON object. Schedulers keep
// their state in typed members; this is where those members meet the JSON text of state_dict(), so
// that the JSON library stays out of public headers.
//
//   void save_state(SchedulerState& state) const override {
//     Base::save_state(state);
//     state.write("gamma", gamma_);
//   }
//   void load_state(const SchedulerState& state) override {
//     Base::load_state(state);
//     state.read_if_present("gamma", gamma_);
//   }
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace accel::optim {

class SchedulerState {
 public:
  SchedulerState();
  ~SchedulerState();
  SchedulerState(SchedulerState&&) noexcept;
  SchedulerState& operator=(SchedulerState&&) noexcept;

  // Parses a state_dict() string; anything but a JSON object is an Error.
  static SchedulerState parse(const std::string& json);
  std::string dump() const;

  bool contains(const std::string& key) const;

  // An empty optional is written as null.
  void write(const std::string& key, bool value);
  void write(const std::string& key, int64_t value);
  void write(const std::string& key, double value);
  void write(const std::string& key, const std::string& value);
  void write(const std::string& key, const std::vector<int64_t>& values);
  void write(const std::string& key, const std::vector<double>& values);
  void write(const std::string& key, const std::optional<int64_t>& value);
  void write(const std::string& key, const std::optional<double>& value);
  // A nested value (an object or a list of them) given as JSON text.
  void write_json(const std::string& key, const std::string& json);

  // A missing key or a value of another type is an Error naming the key. Integers are accepted
  // where a double is expected (JSON writes 1.0 as 1 in some producers).
  void read(const std::string& key, bool& out) const;
  void read(const std::string& key, int64_t& out) const;
  void read(const std::string& key, double& out) const;
  void read(const std::string& key, std::string& out) const;
  void read(const std::string& key, std::vector<int64_t>& out) const;
  void read(const std::string& key, std::vector<double>& out) const;
  void read(const std::string& key, std::optional<int64_t>& out) const;
  void read(const std::string& key, std::optional<double>& out) const;
  std::string read_json(const std::string& key) const;

  // Python's `__dict__.update(state)`: only the keys present replace the member.
  template <typename T>
  bool read_if_present(const std::string& key, T& out) const {
    if (!contains(key)) return false;
    read(key, out);
    return true;
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace accel::optim
