// Uses accel as an installed package: headers from <prefix>/include/accel, accel::accel from its config.
#include <accel/accel.h>

#include <iostream>

int main() {
  const float sum = accel::ones({2, 3}).sum().item<float>();
  std::cout << "accel::ones({2, 3}).sum() = " << sum << "\n";
  return sum == 6.0f ? 0 : 1;
}
