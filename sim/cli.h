/* cli: the vnicsim command line (run, config show|check, presets, --help, --version).
 * Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 128+signal when a
 * run is stopped by SIGINT/SIGTERM (130/143). */
#ifndef VNICSIM_SIM_CLI_H
#define VNICSIM_SIM_CLI_H

int cli_main(int argc, char **argv);

#endif
