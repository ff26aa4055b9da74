/* config: strict, versioned JSON configuration (jansson), one defaults table.
 *
 * Every key is declared once in sim/schema.def. A Config holds one value per key;
 * it starts from the defaults, then a preset and/or file and --set overrides are
 * applied in order, each validated the same way (type, range, choices, unknown keys
 * with a did-you-mean, duplicate keys). Errors are returned in a CfgError naming
 * the file, line and column (syntax) or the file and JSON path (type and range).
 */
#ifndef VNICSIM_SIM_CONFIG_H
#define VNICSIM_SIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

typedef enum CfgKey {
#define CFG_INT(id, path, def, lo, hi, desc) CFG_##id,
#define CFG_NUM(id, path, def, lo, hi, desc) CFG_##id,
#define CFG_BOOL(id, path, def, desc) CFG_##id,
#define CFG_STR(id, path, def, choices, desc) CFG_##id,
#include "sim/schema.def"
#undef CFG_INT
#undef CFG_NUM
#undef CFG_BOOL
#undef CFG_STR
    CFG__COUNT
} CfgKey;

typedef struct Config Config;

typedef struct CfgError {
    char source[256]; /* file name, "preset NAME", or "--set" */
    int line, column; /* 0 when unknown */
    char path[160];   /* JSON path of the offending key, "" when none */
    char text[512];   /* the whole message, ready to print */
} CfgError;

int64_t cfg_int(const Config *c, CfgKey k);
double cfg_num(const Config *c, CfgKey k);
bool cfg_bool(const Config *c, CfgKey k);
const char *cfg_str(const Config *c, CfgKey k);

#endif
