/* fuzz_pcnet: libFuzzer target for the Am79C970A model. The input format and the
 * invariants are in tests/fuzz/pcnet_harness.h. Build and run (from the repo root):
 *   make fuzz FUZZ_SECONDS=60
 * or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_pcnet.c \
 *         model/lance/pcnet.c model/gmem.c -o fuzz_pcnet
 *   ./fuzz_pcnet tests/fuzz/corpus
 */
#include "tests/fuzz/pcnet_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    HarnReport rep;
    if (pcnet_harness_run(data, size, &rep)) {
        fprintf(stderr, "pcnet invariant violated (%u): %s\n", rep.violations, rep.first);
        abort();
    }
    return 0;
}
