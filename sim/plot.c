/* plot: see sim/plot.h. */
#include "sim/plot.h"

#include <stdio.h>

int plot_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("vnicsim plot: not implemented yet\n", stderr);
    return 1;
}
