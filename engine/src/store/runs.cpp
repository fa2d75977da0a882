// SessionStore: runs (a prompt, the options, the model and the full result with its score series
// and stages) and the answers a target LLM gave to a run's original and compressed prompt.
#include "terse/session_store.h"

#include "store/codec.h"
#include "store/store_impl.h"
#include "terse/runtime.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace terse {

using namespace terse::store;

namespace {

bool sameSegments(const std::vector<PromptSegment> &a, const std::vector<PromptSegment> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const PromptSegment &x, const PromptSegment &y) {
                          return x.role == y.role && x.text == y.text;
                      });
}

constexpr const char *kRunColumns =
    "r.id, r.session_id, r.prompt_id, r.method, r.mode, r.model_name, r.model_path, "
    "r.model_checksum, "
    "r.engine_version, r.created, x.tokens_in, x.tokens_out, x.achieved_rate";

RunInfo runInfoFromRow(const Statement &st)
{
    RunInfo i;
    i.id = st.int64(0);
    i.sessionId = st.int64(1);
    i.promptId = st.int64(2);
    i.method = st.text(3);
    i.mode = parseModeOrThrow(st.text(4), "run " + std::to_string(i.id) + " mode");
    i.model = {st.text(5), st.text(6), st.text(7)};
    i.engineVersion = st.text(8);
    i.created = st.int64(9);
    i.tokensIn = static_cast<long>(st.int64(10));
    i.tokensOut = static_cast<long>(st.int64(11));
    i.achievedRate = st.real(12);
    return i;
}

void requireMark(int mark)
{
    if (mark < -1 || mark > 1)
        throwError(ErrorCode::InvalidArgument,
                   "answer mark must be -1 (none), 0 (incorrect) or 1 (correct), got " +
                       std::to_string(mark));
}

} // namespace

// ---- Impl -------------------------------------------------------------------------------------

std::int64_t SessionStore::Impl::insertRun(std::int64_t sessionId, const Prompt &prompt,
                                           const CompressOptions &o, const ModelIdentity &model,
                                           const CompressionResult &r,
                                           const std::map<std::string, double> &runMetrics,
                                           std::int64_t createdAt, const std::string &version)
{
    const std::int64_t created = createdAt != 0 ? createdAt : nowMs();
    // Encode everything before touching the database, so a bad value fails before any write.
    const std::string promptSegments = dumpJson(segmentsToJson(prompt.segments));
    const std::string params = dumpJson(paramsToJson(o.params));
    const std::string pinned = dumpJson(pinnedToJson(o.pinned));
    const bool ownSegments = !sameSegments(r.segments, prompt.segments);
    const std::string resultSegments =
        ownSegments ? dumpJson(segmentsToJson(r.segments)) : std::string();
    const std::string units = encodeUnits(r.units);
    const std::string thresholds = dumpJson(thresholdsToJson(r.thresholds));
    const std::string warnings = dumpJson(warningsToJson(r.warnings));
    const std::string metrics = dumpJson(metricsToJson(runMetrics));
    if (r.compressedText.find('\0') != std::string::npos)
        throwError(ErrorCode::InvalidInput, "the compressed text contains a NUL byte");

    std::int64_t promptId = 0;
    {
        Statement find(db, "SELECT id FROM prompts WHERE session_id = ? AND segments = ? LIMIT 1");
        find.bind(1, sessionId).bind(2, promptSegments);
        if (find.step()) {
            promptId = find.int64(0);
        } else {
            Statement ins(
                db, "INSERT INTO prompts(session_id, segments, text, created) VALUES (?, ?, ?, ?)");
            promptId = ins.bind(1, sessionId)
                           .bind(2, promptSegments)
                           .bind(3, prompt.joined())
                           .bind(4, created)
                           .insert();
        }
    }
    Statement ins(
        db,
        "INSERT INTO runs(session_id, prompt_id, method, rate, target_tokens, mode, seed, params, "
        "pinned, model_name, model_path, model_checksum, engine_version, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, sessionId)
        .bind(2, promptId)
        .bind(3, o.method)
        .bind(4, o.rate)
        .bind(5, static_cast<std::int64_t>(o.targetTokens))
        .bind(6, modeName(o.mode))
        .bind(7, static_cast<std::int64_t>(o.seed)) // two's complement round trip of the uint64
        .bind(8, params)
        .bind(9, pinned)
        .bind(10, model.name)
        .bind(11, model.path)
        .bind(12, model.checksum)
        .bind(13, version.empty() ? std::string(engineVersion()) : version)
        .bind(14, created);
    const std::int64_t runId = ins.insert();

    Statement res(
        db, "INSERT INTO results(run_id, method, mode, unit_name, segments, compressed_text, "
            "tokens_in, "
            "tokens_out, requested_rate, achieved_rate, forward_ms, total_ms, units, thresholds, "
            "warnings, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    res.bind(1, runId).bind(2, r.method).bind(3, modeName(r.mode)).bind(4, r.unitName);
    if (ownSegments)
        res.bind(5, resultSegments);
    else
        res.bindNull(5);
    res.bind(6, r.compressedText)
        .bind(7, static_cast<std::int64_t>(r.tokensIn))
        .bind(8, static_cast<std::int64_t>(r.tokensOut))
        .bind(9, r.requestedRate)
        .bind(10, r.achievedRate)
        .bind(11, r.forwardMs)
        .bind(12, r.totalMs)
        .bindBlob(13, units)
        .bind(14, thresholds)
        .bind(15, warnings)
        .bind(16, metrics)
        .run();

    Statement series(
        db,
        "INSERT INTO result_series(run_id, stage, position, name, data) VALUES (?, ?, ?, ?, ?)");
    auto writeSeries = [&](int stage, const std::vector<ScoreSeries> &list) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string data = encodeFloats(list[i].values);
            series.reset();
            series.bind(1, runId).bind(2, stage).bind(3, static_cast<int>(i)).bind(4, list[i].name);
            series.bindBlob(5, data).run();
        }
    };
    writeSeries(-1, r.scores);
    Statement stage(db, "INSERT INTO result_stages(run_id, position, name, removed, thresholds, "
                        "first_unit, end_unit) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < r.stages.size(); ++i) {
        const std::string removed = encodeInts(r.stages[i].removedUnits);
        stage.reset();
        stage.bind(1, runId)
            .bind(2, static_cast<int>(i))
            .bind(3, r.stages[i].name)
            .bindBlob(4, removed);
        stage.bind(5, dumpJson(thresholdsToJson(r.stages[i].thresholds)))
            .bind(6, r.stages[i].firstUnit)
            .bind(7, r.stages[i].endUnit)
            .run();
        writeSeries(static_cast<int>(i), r.stages[i].scores);
    }
    touch(sessionId, created);
    return runId;
}

std::vector<RunInfo> SessionStore::Impl::readRuns(std::int64_t sessionId) const
{
    Statement st(
        db,
        std::string("SELECT ") + kRunColumns +
            " FROM runs r JOIN results x ON x.run_id = r.id WHERE r.session_id = ? ORDER BY r.id");
    st.bind(1, sessionId);
    std::vector<RunInfo> runs;
    while (st.step())
        runs.push_back(runInfoFromRow(st));
    return runs;
}

StoredRun SessionStore::Impl::readRun(std::int64_t runId) const
{
    const std::string what = "run " + std::to_string(runId);
    Statement st(
        db,
        std::string("SELECT ") + kRunColumns +
            ", r.rate, r.target_tokens, r.seed, r.params, r.pinned, p.segments, x.method, x.mode, "
            "x.unit_name, x.segments, x.compressed_text, x.requested_rate, x.forward_ms, "
            "x.total_ms, "
            "x.units, x.thresholds, x.warnings, x.metrics "
            "FROM runs r JOIN results x ON x.run_id = r.id JOIN prompts p ON p.id = r.prompt_id "
            "WHERE r.id = ?");
    st.bind(1, runId);
    if (!st.step())
        throwError(ErrorCode::NotFound, "no run " + std::to_string(runId));
    StoredRun run;
    run.info = runInfoFromRow(st);
    run.prompt.segments =
        segmentsFromJson(parseJson(st.text(18), what + " prompt"), what + " prompt");
    CompressOptions &o = run.options;
    o.method = run.info.method;
    o.mode = run.info.mode;
    o.rate = st.real(13);
    o.targetTokens = static_cast<long>(st.int64(14));
    o.seed = static_cast<std::uint64_t>(st.int64(15));
    o.params = paramsFromJson(parseJson(st.text(16), what + " params"), what + " params");
    o.pinned =
        pinnedFromJson(parseJson(st.text(17), what + " pinned spans"), what + " pinned spans");
    CompressionResult &r = run.result;
    r.method = st.text(19);
    r.mode = parseModeOrThrow(st.text(20), what + " result mode");
    r.unitName = st.text(21);
    r.segments = st.isNull(22) ? run.prompt.segments
                               : segmentsFromJson(parseJson(st.text(22), what + " segments"),
                                                  what + " segments");
    r.compressedText = st.text(23);
    r.tokensIn = run.info.tokensIn;
    r.tokensOut = run.info.tokensOut;
    r.achievedRate = run.info.achievedRate;
    r.unitRate =
        r.tokensIn > 0 ? static_cast<double>(r.tokensOut) / static_cast<double>(r.tokensIn) : 1.0;
    r.requestedRate = st.real(24);
    r.forwardMs = st.real(25);
    r.totalMs = st.real(26);
    r.units = decodeUnits(st.blob(27), what + " units");
    r.thresholds =
        thresholdsFromJson(parseJson(st.text(28), what + " thresholds"), what + " thresholds");
    r.warnings = warningsFromJson(parseJson(st.text(29), what + " warnings"), what + " warnings");
    run.metrics = metricsFromJson(parseJson(st.text(30), what + " metrics"), what + " metrics");

    Statement stages(db, "SELECT name, removed, thresholds, first_unit, end_unit FROM "
                         "result_stages WHERE run_id = ? "
                         "ORDER BY position");
    stages.bind(1, runId);
    while (stages.step()) {
        Stage s;
        s.name = stages.text(0);
        s.removedUnits = decodeInts(stages.blob(1), what + " stage removed units");
        s.thresholds = thresholdsFromJson(parseJson(stages.text(2), what + " stage thresholds"),
                                          what + " stage thresholds");
        s.firstUnit = static_cast<int>(stages.int64(3));
        s.endUnit = static_cast<int>(stages.int64(4));
        r.stages.push_back(std::move(s));
    }
    Statement series(
        db,
        "SELECT stage, name, data FROM result_series WHERE run_id = ? ORDER BY stage, position");
    series.bind(1, runId);
    while (series.step()) {
        const auto stage = series.int64(0);
        ScoreSeries s{series.text(1), decodeFloats(series.blob(2), what + " scores")};
        if (isLegacyBookkeeping(s.name))
            continue; // saved before issue 19 among the scores
        if (stage < 0)
            r.scores.push_back(std::move(s));
        else if (stage < static_cast<std::int64_t>(r.stages.size()))
            r.stages[static_cast<std::size_t>(stage)].scores.push_back(std::move(s));
        else
            throwError(ErrorCode::FormatError, what + ": scores of a stage that does not exist");
    }
    return run;
}

std::int64_t SessionStore::Impl::insertAnswer(const AnswerRecord &a)
{
    if (a.variant != "original" && a.variant != "compressed")
        throwError(ErrorCode::InvalidArgument,
                   "answer variant must be 'original' or 'compressed', got '" + a.variant + "'");
    requireMark(a.mark);
    Statement find(db, "SELECT session_id FROM runs WHERE id = ?");
    find.bind(1, a.runId);
    if (!find.step())
        throwError(ErrorCode::NotFound, "no run " + std::to_string(a.runId));
    const std::int64_t sessionId = find.int64(0);
    Statement ins(
        db, "INSERT INTO answers(run_id, variant, endpoint, model, answer, error, latency_ms, "
            "prompt_tokens, completion_tokens, mark, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)");
    const std::int64_t created = a.created > 0 ? a.created : nowMs();
    ins.bind(1, a.runId).bind(2, a.variant).bind(3, a.endpoint).bind(4, a.model).bind(5, a.answer);
    ins.bind(6, a.error).bind(7, a.latencyMs).bind(8, static_cast<std::int64_t>(a.promptTokens));
    ins.bind(9, static_cast<std::int64_t>(a.completionTokens)).bind(10, a.mark).bind(11, created);
    const std::int64_t id = ins.insert();
    touch(sessionId, nowMs());
    return id;
}

std::vector<AnswerRecord> SessionStore::Impl::readAnswers(std::int64_t runId) const
{
    Statement st(
        db,
        "SELECT id, run_id, variant, endpoint, model, answer, error, latency_ms, prompt_tokens, "
        "completion_tokens, mark, created FROM answers WHERE run_id = ? ORDER BY id");
    st.bind(1, runId);
    std::vector<AnswerRecord> out;
    while (st.step()) {
        AnswerRecord a;
        a.id = st.int64(0);
        a.runId = st.int64(1);
        a.variant = st.text(2);
        a.endpoint = st.text(3);
        a.model = st.text(4);
        a.answer = st.text(5);
        a.error = st.text(6);
        a.latencyMs = st.real(7);
        a.promptTokens = static_cast<long>(st.int64(8));
        a.completionTokens = static_cast<long>(st.int64(9));
        a.mark = static_cast<int>(st.int64(10));
        a.created = st.int64(11);
        out.push_back(std::move(a));
    }
    return out;
}

// ---- runs -------------------------------------------------------------------------------------

Result<std::int64_t> SessionStore::saveRun(std::int64_t sessionId, const Prompt &prompt,
                                           const CompressOptions &options,
                                           const ModelIdentity &model,
                                           const CompressionResult &result,
                                           const std::map<std::string, double> &metrics)
{
    return guarded("saving the run in session " + std::to_string(sessionId), [&] {
        m_impl->requireWritable();
        Transaction tx(m_impl->db, "");
        const SessionInfo s = m_impl->readSession(sessionId);
        if (s.deletedAt != 0)
            throwError(ErrorCode::InvalidArgument,
                       "session " + std::to_string(sessionId) + " is deleted");
        const std::int64_t id =
            m_impl->insertRun(sessionId, prompt, options, model, result, metrics, 0, {});
        tx.commit();
        return id;
    });
}

Result<StoredRun> SessionStore::loadRun(std::int64_t runId) const
{
    return guarded("loading run " + std::to_string(runId), [&] { return m_impl->readRun(runId); });
}

Result<std::vector<RunInfo>> SessionStore::listRuns(std::int64_t sessionId) const
{
    return guarded("listing the runs of session " + std::to_string(sessionId), [&] {
        m_impl->requireSession(sessionId);
        return m_impl->readRuns(sessionId);
    });
}

Result<void> SessionStore::deleteRun(std::int64_t runId)
{
    return guarded("deleting run " + std::to_string(runId), [&] {
        m_impl->requireWritable();
        sqlite3 *db = m_impl->db;
        Transaction tx(db, "");
        Statement find(db, "SELECT session_id, prompt_id FROM runs WHERE id = ?");
        find.bind(1, runId);
        if (!find.step())
            throwError(ErrorCode::NotFound, "no run " + std::to_string(runId));
        const auto sessionId = find.int64(0), promptId = find.int64(1);
        Statement del(db, "DELETE FROM runs WHERE id = ?");
        del.bind(1, runId).run();
        // A prompt lives only as long as a run uses it.
        Statement orphan(db, "DELETE FROM prompts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs "
                             "WHERE prompt_id = ?)");
        orphan.bind(1, promptId).bind(2, promptId).run();
        m_impl->touch(sessionId, nowMs());
        tx.commit();
    });
}

// ---- answers ----------------------------------------------------------------------------------

Result<std::int64_t> SessionStore::saveAnswer(const AnswerRecord &answer)
{
    return guarded("saving an answer of run " + std::to_string(answer.runId), [&] {
        m_impl->requireWritable();
        Transaction tx(m_impl->db, "");
        const std::int64_t id = m_impl->insertAnswer(answer);
        tx.commit();
        return id;
    });
}

Result<void> SessionStore::setAnswerMark(std::int64_t answerId, int mark)
{
    return guarded("marking answer " + std::to_string(answerId), [&] {
        m_impl->requireWritable();
        requireMark(mark);
        Statement st(m_impl->db, "UPDATE answers SET mark = ? WHERE id = ?");
        if (st.bind(1, mark).bind(2, answerId).run() == 0)
            throwError(ErrorCode::NotFound, "no answer " + std::to_string(answerId));
    });
}

Result<std::vector<AnswerRecord>> SessionStore::answers(std::int64_t runId) const
{
    return guarded("reading the answers of run " + std::to_string(runId),
                   [&] { return m_impl->readAnswers(runId); });
}

} // namespace terse
