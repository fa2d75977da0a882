#define PCRE2_CODE_UNIT_WIDTH 8
#include "text/regex.h"

#include "text/tokenizer_impl.h"

#include <pcre2.h>

#include <memory>

namespace terse::text {

namespace {

// One JIT stack per thread: PCRE2 JIT stacks must not be shared by concurrent matches.
struct JitStack {
    pcre2_jit_stack *stack = pcre2_jit_stack_create(64 * 1024, 8 * 1024 * 1024, nullptr);
    pcre2_match_context *context = pcre2_match_context_create(nullptr);
    JitStack()
    {
        if (stack && context)
            pcre2_jit_stack_assign(context, nullptr, stack);
    }
    ~JitStack()
    {
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(stack);
    }
};

pcre2_match_context *threadContext()
{
    thread_local JitStack js;
    return js.context;
}

} // namespace

Regex::Regex(const std::string &pattern) : m_pattern(pattern)
{
    int err = 0;
    PCRE2_SIZE at = 0;
    m_code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                           PCRE2_UTF | PCRE2_UCP, &err, &at, nullptr);
    if (!m_code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw TextError{ErrorCode::FormatError, "bad regex '" + pattern + "' at offset " +
                                                    std::to_string(at) + ": " +
                                                    reinterpret_cast<const char *>(msg)};
    }
    m_jit = pcre2_jit_compile(m_code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex()
{
    pcre2_code_free(m_code);
}

void Regex::forEachMatch(std::string_view text,
                         const std::function<void(std::size_t, std::size_t)> &fn) const
{
    forEachMatchGroups(text, [&fn](const Groups &g) { fn(g[0].first, g[0].second); });
}

void Regex::forEachMatchGroups(std::string_view text,
                               const std::function<void(const Groups &)> &fn) const
{
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(m_code, nullptr), &pcre2_match_data_free);
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    pcre2_match_context *ctx = threadContext();
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const int rc = m_jit ? pcre2_jit_match(m_code, subject, text.size(), pos, 0, md.get(), ctx)
                             : pcre2_match(m_code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK,
                                           md.get(), ctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            return;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            throw TextError{ErrorCode::InvalidInput,
                            "pre-tokenizer regex '" + m_pattern + "' failed at byte " +
                                std::to_string(pos) + ": " + reinterpret_cast<const char *>(msg)};
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md.get());
        const std::size_t b = ov[0], e = ov[1];
        if (e > b) {
            Groups groups(pcre2_get_ovector_count(md.get()));
            for (std::size_t g = 0; g < groups.size(); ++g)
                groups[g] = ov[2 * g] == PCRE2_UNSET ? std::pair{npos, npos}
                                                     : std::pair{ov[2 * g], ov[2 * g + 1]};
            fn(groups);
            pos = e;
        } else {
            // Empty match: step over one character.
            if (b >= text.size())
                return;
            pos = b + utf8Length(static_cast<unsigned char>(text[b]));
        }
    }
}

} // namespace terse::text
