#include "terse/job.h"

namespace terse {

const JobContext &JobContext::none()
{
    static const JobContext kNone;
    return kNone;
}

} // namespace terse
