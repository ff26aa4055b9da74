/* version: the program version, printed by `vnicsim --version` and written into
 * every result directory's config.json. */
#ifndef VNICSIM_SIM_VERSION_H
#define VNICSIM_SIM_VERSION_H

#define VNICSIM_VERSION "0.1.0"

#endif
