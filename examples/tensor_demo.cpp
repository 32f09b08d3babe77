// A short tour of accel's tensors: factories, broadcasting, matmul, reductions and printing.
#include <accel/accel.h>

#include <iostream>

int main() {
  accel::manual_seed(0);

  auto a = accel::tensor({{1.f, 2.f}, {3.f, 4.f}});
  auto ones = accel::ones({2, 2});
  auto row = accel::arange(2.0);  // float32 [0, 1], broadcast over the rows below
  std::cout << "a =\n" << a << "\n";
  std::cout << "a + ones =\n" << a + ones << "\n";
  std::cout << "a + arange(2.0) (broadcast) =\n" << a + row << "\n";

  auto m = accel::matmul(a, a);
  std::cout << "matmul(a, a) =\n" << m << "\n";
  std::cout << "row sums of matmul(a, a) = " << m.sum(1) << "\n";

  auto x = accel::randn({3, 4});
  std::cout << "randn({3, 4}) =\n" << x << "\n";
  std::cout << "viewed as {2, 6} =\n" << x.view({2, 6}) << "\n";
  std::cout << "mean = " << x.mean().item<float>() << "\n";

  auto z = accel::zeros({2, 3}) + accel::ones({3});
  std::cout << "zeros({2, 3}) + ones({3}) sums to " << z.sum().item<float>() << "\n";
  return 0;
}
