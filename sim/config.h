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

#include <jansson.h>

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

/* ---- loading (sim/config.c) ---------------------------------------------------
 *
 * Precedence: defaults < base chain < preset / config file < --set. Every function
 * returning int gives 0 on success and -1 on error with err filled in; after an
 * error the Config may be partly updated and should be discarded.
 *
 * File format (presets and --config files alike):
 *   "version": 1                 required
 *   "name": "..."                optional; defaults to the preset name or file stem
 *   "description": "one line"    optional
 *   "base": "preset-or-file"     optional; a preset name, or a path ending in .json
 *                                (relative to the including file) to start from
 *   "provenance": {"costs.x": "source text", ...}   inherited from the base, may override
 *   "vnicsim_version": "..."     optional, ignored (written into results' config.json)
 *   every other key: a schema key (nested objects map to dotted paths)
 */
#define CFG_VERSION 1

typedef enum CfgType { CFGT_INT, CFGT_NUM, CFGT_BOOL, CFGT_STR } CfgType;

Config *cfg_new(void); /* every key at its default */
void cfg_free(Config *c);
Config *cfg_clone(const Config *c);

int cfg_apply_preset(Config *c, const char *name, CfgError *err);
int cfg_apply_file(Config *c, const char *path, CfgError *err);
/* Load a configuration from text; `source` names it in messages, `dir` resolves a
 * relative file "base" (NULL: only preset names), `stem` is the default name. */
int cfg_apply_text(Config *c, const char *text, const char *source, const char *dir,
                   const char *stem, CfgError *err);
/* "dotted.path=value": value is parsed as JSON when it parses, else taken as a bare
 * string (which only a string key accepts). */
int cfg_apply_set(Config *c, const char *assignment, CfgError *err);

/* Every costs.* key set by a preset or file (not by --set) must have a provenance
 * entry. Returns 0 or -1 with err naming the first cost without one. */
int cfg_check_provenance(const Config *c, CfgError *err);

/* The resolved configuration: "version", "name", "description", every key as nested
 * objects in schema order, "provenance". New reference. */
json_t *cfg_to_json(const Config *c);
/* Smallest JSON_REAL_PRECISION (15..17) that prints every number key exactly. */
int cfg_real_precision(const Config *c);

const char *cfg_name(const Config *c);        /* preset name, file stem, or "default" */
const char *cfg_description(const Config *c); /* "" when none */
/* The source of a key's value: the provenance entry of the preset/file layers, or
 * "command line: --set PATH=VALUE" for a cost set with --set, or "default
 * (sim/schema.def)" for a cost still at its default; NULL when none. */
const char *cfg_provenance(const Config *c, const char *path);
bool cfg_is_set(const Config *c, CfgKey k);   /* set by a preset, file or --set */

const char *cfg_key_path(CfgKey k);
const char *cfg_key_desc(CfgKey k);
CfgType cfg_key_type(CfgKey k);
CfgKey cfg_key_find(const char *path); /* or -1 */

#endif
