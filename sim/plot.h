/* plot: render a sweep's CSVs with the gnuplot scripts of analysis/plots (vnicsim plot). */
#ifndef VNICSIM_SIM_PLOT_H
#define VNICSIM_SIM_PLOT_H

int plot_main(int argc, char **argv);

#endif
