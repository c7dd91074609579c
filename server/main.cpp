#include "server/cli.hpp"

int main(int argc, char** argv) { return psm::server::run_cli(argc, argv); }
