#include "jsonl_batch.h"

#include "cli.h"

#include <cstdio>

namespace terse::cli {

bool isJsonlInput(const std::string &path, bool jsonlFlag)
{
    return jsonlFlag || (path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0);
}

int batchExitCode(long skipped, std::size_t lines)
{
    if (skipped == 0)
        return kExitOk;
    std::fprintf(stderr, "terse: %ld of %zu lines skipped\n", skipped, lines);
    return skipped == static_cast<long>(lines) ? kExitInput : kExitPartial;
}

} // namespace terse::cli
