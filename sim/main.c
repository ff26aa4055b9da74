/* vnicsim: entry point; everything happens in sim/cli.c. */
#include "sim/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
