/* presets: the configs/<name>.json files compiled into the program (tools/embed.sh). */
#ifndef VNICSIM_SIM_PRESETS_H
#define VNICSIM_SIM_PRESETS_H

typedef struct PresetBlob {
    const char *name; /* file name without .json, e.g. "ws2-pc733" */
    const char *path; /* source path, e.g. "configs/ws2-pc733.json" (for messages) */
    const char *json; /* NUL-terminated file contents */
} PresetBlob;

/* Terminated by an entry whose name is NULL. */
extern const PresetBlob preset_blobs[];

/* The preset of that name, or NULL. */
const PresetBlob *preset_find(const char *name);

#endif
