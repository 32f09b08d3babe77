#pragma once
// accel::Error and ACCEL_CHECK: every bad input ends here, with a message naming the op and the
// offending shapes, dtypes or devices.
#include <sstream>
#include <stdexcept>
#include <string>

namespace accel {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
[[noreturn, gnu::cold, gnu::noinline]] void fail(const char* file, int line, const Args&... args) {
  std::ostringstream message;
  (message << ... << args);
  if constexpr (sizeof...(Args) == 0) message << "check failed";
  message << " (" << file << ":" << line << ")";
  throw Error(message.str());
}
}  // namespace detail

}  // namespace accel

// ACCEL_CHECK(cond, "op: ", a, " vs ", b): the message parts are only formatted when cond fails.
#define ACCEL_CHECK(cond, ...)                                          \
  do {                                                                  \
    if (__builtin_expect(!(cond), 0)) {                                 \
      ::accel::detail::fail(__FILE__, __LINE__ __VA_OPT__(, ) __VA_ARGS__); \
    }                                                                   \
  } while (0)

#define ACCEL_FAIL(...) ::accel::detail::fail(__FILE__, __LINE__ __VA_OPT__(, ) __VA_ARGS__)
