// kizen-sync: see daemon/cli/ for the commands.
#include "daemon/cli/command_line.hpp"

#include <iostream>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = ks::cli::parse_command_line(args);
  if (parsed.error) {
    std::cerr << "kizen-sync: " << parsed.error->message << "\n";
    return 2;
  }
  std::cout << ks::cli::help_text(parsed.line->command);
  return 0;
}
