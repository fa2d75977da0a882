#include "engine_terms.h"

#include <QRegularExpression>

#include <iterator>
#include <utility>

namespace terse::app {

namespace {

struct Term {
    const char *key;
    const char *text;
};

// Score series the compressors write (the names in the result JSON). English shows the identifier
// itself.
constexpr Term kScores[] = {
    {"self_information", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "self_information")},
    {"surprisal", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "surprisal")},
    {"contrastive", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "contrastive")},
    {"entropy", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "entropy")},
    {"entropy_before", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "entropy_before")},
    {"entropy_after", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "entropy_after")},
    {"attention", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "attention")},
    {"fused", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "fused")},
    {"restored", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "restored")},
    {"probability", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "probability")},
    {"probability_no_force", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "probability_no_force")},
    {"probability_final", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "probability_final")},
    {"context_probability", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context_probability")},
    {"context_rank", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context_rank")},
    {"context_rank_score", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context_rank_score")},
    {"context perplexity", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context perplexity")},
    {"context_bm25", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context_bm25")},
    {"context_gzip_distance",
     QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context_gzip_distance")},
    {"sentence_bm25", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "sentence_bm25")},
    {"similarity", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "similarity")},
    {"tfidf", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "tfidf")},
    {"weight", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "weight")},
    {"allocation", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "allocation")},
    {"score", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "score")},
    {"format", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "format")},
};

// Stage names without a number.
constexpr Term kStages[] = {
    {"single pass", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "single pass")},
    {"coarse ranking", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "coarse ranking")},
    {"context filter", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context filter")},
    {"sentence filter", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "sentence filter")},
    {"question sentences", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "question sentences")},
    {"question focus", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "question focus")},
    {"token filter (global)",
     QT_TRANSLATE_NOOP("terse::app::EngineTerms", "token filter (global)")},
    {"token filter (per chunk)",
     QT_TRANSLATE_NOOP("terse::app::EngineTerms", "token filter (per chunk)")},
    {"token budget", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "token budget")},
    {"percentile filter", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "percentile filter")},
    {"top self-information", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "top self-information")},
};

// The stages a running job reports with its progress.
constexpr Term kProgress[] = {
    {"scoring", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "scoring")},
    {"scoring windows", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "scoring windows")},
    {"scoring sentences", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "scoring sentences")},
    {"classifying chunks", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "classifying chunks")},
    {"context ranking", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "context ranking")},
    {"token-level compression",
     QT_TRANSLATE_NOOP("terse::app::EngineTerms", "token-level compression")},
    {"DAC stage", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "DAC stage")},
    {"PIS scoring", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "PIS scoring")},
    {"PIS sentence filter", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "PIS sentence filter")},
    {"PIS allocation", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "PIS allocation")},
    {"done", QT_TRANSLATE_NOOP("terse::app::EngineTerms", "done")},
};

// Warning messages by code; %1, %2, ... are the numbers of the engine's detail, in order.
struct Message {
    const char *code;
    int numbers; // the numbers of the engine's detail that fill %1, %2, ...; -1: none, the message
                 // stands for every detail of its code (numbers in it or not)
    const char *text;
};
constexpr Message kWarnings[] = {
    {"rate_unreachable", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms", "The text that must be kept (pins, instruction, "
                                                  "question) is longer than the requested rate "
                                                  "allows")},
    {"rate_granularity", 3,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The method's units are too coarse for the requested rate: %1 of %2 "
                       "target tokens kept, %3 asked")},
    {"context_filter_undone", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The kept contexts hold less than the requested rate: the best "
                       "words of dropped contexts were kept too")},
    {"context_filter_budget", 2,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The kept, protected and pinned text does not allow the requested "
                       "budget (%1 of %2 tokens)")},
    {"coarse_filter_undone", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The contexts kept by the coarse stage hold less than the requested "
                       "rate: the best words of dropped ones were kept too")},
    {"sentence_filter_undone", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The requested rate keeps more than the surviving sentences hold: "
                       "text of removed sentences was kept")},
    {"chunked", 2,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The prompt was classified in %1 chunks of at most %2 tokens")},
    {"no_agent", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "No trained PIS agent (option 'agent' or pis_agent.safetensors "
                       "beside the model): every sentence gets the same keep fraction")},
    {"consecutive_limit_relaxed", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The requested rate needs adjacent deletions: the consecutive-token "
                       "limit was relaxed for the lowest-scored tokens")},
    {"reference_with_pins", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "Pinned spans are outside the reference algorithm: the pinned "
                       "decisions override its selection")},
    // The engine's detail quotes the question and its byte offset, and names the command line's
    // --no-find-question: the app says it in its own words.
    {"question_found", -1,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The prompt's last lines ask a question: they are kept whole and the "
                       "question-aware methods rank against them (in the structured editor "
                       "the parts are yours)")},
    {"no_question", 0,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "No question segment: contexts are ranked by perplexity and the "
                       "token stage is not question-conditioned")},
    {"demonstration_format", 2,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The prompt reads as %1 demonstrations: the %2 words of their shared "
                       "format (labels, repeated lines, answer lines) are kept before other "
                       "words")},
    {"short_prompt", 1,
     QT_TRANSLATE_NOOP("terse::app::EngineTerms",
                       "The prompt is shorter than one window (%1 tokens): the reference "
                       "leaves most of it uncompressed")},
};

template <std::size_t N> const char *lookup(const Term (&table)[N], const std::string &key)
{
    for (const Term &t : table)
        if (key == t.key)
            return t.text;
    return nullptr;
}

} // namespace

QString EngineTerms::scoreName(const std::string &name)
{
    const char *t = lookup(kScores, name);
    return t ? tr(t) : QString::fromStdString(name);
}

QString EngineTerms::stageName(const std::string &name)
{
    if (const char *t = lookup(kStages, name))
        return tr(t);
    static const QRegularExpression numbered(QStringLiteral("^(stage|window) (\\d+)$"));
    const auto m = numbered.match(QString::fromStdString(name));
    if (m.hasMatch())
        return m.captured(1) == QLatin1String("stage") ? tr("stage %1").arg(m.captured(2))
                                                       : tr("window %1").arg(m.captured(2));
    return QString::fromStdString(name);
}

QString EngineTerms::progressStage(const QString &stage)
{
    const char *t = lookup(kProgress, stage.toStdString());
    return t ? tr(t) : stage;
}

QString EngineTerms::errorText(terse::ErrorCode code, const QString &detail)
{
    static constexpr std::pair<terse::ErrorCode, const char *> kCategories[] = {
        {terse::ErrorCode::InvalidArgument,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "A setting is out of range or inconsistent")},
        {terse::ErrorCode::InvalidInput,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "The input cannot be used")},
        {terse::ErrorCode::NotFound, QT_TRANSLATE_NOOP("terse::app::EngineTerms", "Not found")},
        {terse::ErrorCode::IoError,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "Reading or writing a file failed")},
        {terse::ErrorCode::FormatError,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "A file is malformed")},
        {terse::ErrorCode::Unsupported,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "Not supported by this build")},
        {terse::ErrorCode::Cancelled, QT_TRANSLATE_NOOP("terse::app::EngineTerms", "Cancelled")},
        {terse::ErrorCode::ModelError,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "The model failed")},
        {terse::ErrorCode::DatabaseError,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "The session database failed")},
        {terse::ErrorCode::Internal,
         QT_TRANSLATE_NOOP("terse::app::EngineTerms", "Internal error (please report it)")},
    };
    QString category;
    for (const auto &[c, text] : kCategories)
        if (c == code)
            category = tr(text);
    return detail.isEmpty() ? category
                            : tr("%1 — %2", "error category — engine detail").arg(category, detail);
}

QString EngineTerms::unitName(const std::string &unit)
{
    if (unit == "word")
        return tr("word");
    if (unit == "phrase")
        return tr("phrase");
    if (unit == "sentence")
        return tr("sentence");
    if (unit == "token")
        return tr("token");
    return QString::fromStdString(unit);
}

QString EngineTerms::unitsName(const std::string &unit)
{
    if (unit == "word")
        return tr("words");
    if (unit == "phrase")
        return tr("phrases");
    if (unit == "sentence")
        return tr("sentences");
    if (unit == "token")
        return tr("tokens");
    return QString::fromStdString(unit) + QLatin1Char('s');
}

QString EngineTerms::warningText(const terse::Warning &warning)
{
    const QString detail = QString::fromStdString(warning.detail).trimmed();
    for (const Message &m : kWarnings) {
        if (warning.code != m.code)
            continue;
        static const QRegularExpression number(QStringLiteral("\\d+"));
        QStringList numbers;
        for (auto it = number.globalMatch(detail); it.hasNext();)
            numbers << it.next().captured();
        if (m.numbers >= 0 && numbers.size() != m.numbers)
            break; // not the detail this message was written for: the engine's own words
        QString text = tr(m.text);
        if (m.numbers > 0) // a message for every detail (-1) has no %1 for the detail's numbers
            for (const QString &n : numbers)
                text = text.arg(n);
        return text;
    }
    QString text = detail;
    if (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}

QStringList EngineTerms::knownScoreNames()
{
    QStringList out;
    for (const Term &t : kScores)
        out << QString::fromLatin1(t.key);
    return out;
}

QStringList EngineTerms::knownStageNames()
{
    QStringList out{QStringLiteral("stage 1"), QStringLiteral("window 1")};
    for (const Term &t : kStages)
        out << QString::fromLatin1(t.key);
    return out;
}

QStringList EngineTerms::knownProgressStages()
{
    QStringList out;
    for (const Term &t : kProgress)
        out << QString::fromLatin1(t.key);
    return out;
}

QStringList EngineTerms::knownWarningCodes()
{
    QStringList out;
    for (const Message &m : kWarnings)
        out << QString::fromLatin1(m.code);
    return out;
}

} // namespace terse::app
