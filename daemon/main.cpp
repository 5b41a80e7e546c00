// kizen-sync: the commands live in daemon/cli/.
#include "daemon/cli/commands.hpp"

int main(int argc, char** argv) { return ks::cli::run_app(argc, argv); }
