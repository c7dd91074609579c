#include "client/cli.hpp"

int main(int argc, char** argv) { return psm::client::run_cli(argc, argv); }
