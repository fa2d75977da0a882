#pragma once
// The help pages of the verbs, recorded at build time (terse-engine --write-help-pages writes
// help_pages.cpp) so that the `terse` front prints `terse compress --help` and the like without
// starting terse-engine and loading libtorch (issue 16: help at once, the same text).

#include <cstddef>

namespace terse::cli {

struct HelpPage {
    const char *request; // the arguments before --help, one space apart: "train lm",
                         // "compress --method dac"
    const char *text;    // what terse-engine prints for them, exactly
};

extern const HelpPage kHelpPages[];
extern const std::size_t kHelpPageCount;

} // namespace terse::cli
