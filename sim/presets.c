/* presets: look up the configs/<name>.json files embedded by tools/embed.sh. */
#include "sim/presets.h"

#include <string.h>

const PresetBlob *preset_find(const char *name)
{
    for (const PresetBlob *p = preset_blobs; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}
