// --device for the verbs that run models: declared on a verb's parser and resolved for this build.
// Here, not in cli.cpp / command_line.cpp, because resolving a device asks libtorch: the quick
// front (tokenize, sessions) links those two without the model engine.
#include "cli.h"
#include "command_line.h"

#include "terse/model.h"
#include "terse/runtime.h"

#include <cstdio>

namespace terse::cli {

CLI::Option *addDeviceOption(CLI::App &app, std::string &device)
{
    // Only an unknown name is a command-line error here; a device this build cannot use is
    // reported by resolveDeviceOption with its own exit code.
    const CLI::Validator known(
        [](std::string &name) -> std::string {
            auto d = resolveDevice(name);
            return !d && d.error().code == ErrorCode::InvalidArgument ? d.error().detail : "";
        },
        "");
    return app
        .add_option("--device", device,
                    "where models run: cpu, cuda, cuda:N or auto (cuda when this build's libtorch "
                    "sees a GPU)")
        ->type_name("DEVICE")
        ->check(known)
        ->capture_default_str();
}

int resolveDeviceOption(std::string &device)
{
    auto d = resolveDevice(device);
    if (!d)
        return reportError("--device: " + d.error().detail, exitCodeFor(d.error()));
    device = *d;
    return kExitOk;
}

void noteEmulatedBf16(const std::string &dtype, const std::string &device)
{
    if (dtype == "bf16" && device.rfind("cuda", 0) != 0 && !cpuHasNativeBf16())
        std::fprintf(stderr,
                     "terse: note: --dtype bf16: this CPU has no native bf16 (AVX512-BF16 or "
                     "AMX-BF16), so libtorch emulates it, many times slower than fp32 (auto "
                     "computes in fp32 here)\n");
}

} // namespace terse::cli
