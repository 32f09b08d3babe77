#pragma once
// The one check of the suites' error paths: f must throw an accel::Error whose message contains
// `fragment`.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include <accel/accel.h>

namespace accel_testing {

inline void expect_error(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no accel::Error; expected one mentioning '" << fragment << "'";
  } catch (const accel::Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace accel_testing
