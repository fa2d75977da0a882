// terse._terse: the engine's public API for Python. The package in app/python/terse wraps it (the
// LLMLingua-style PromptCompressor, score, tokenize, the Dask front end). Public engine headers
// only: no torch here. Every engine call runs with the GIL released; errors leave as terse.Error
// subclasses built by terse._errors from the engine's code and detail.
#include "terse/batch.h"
#include "terse/compressor.h"
#include "terse/word_vectors.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/tokenizer.h"
#include "terse/weights.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <filesystem>
#include <mutex>
#include <thread>

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

// An engine error on its way to Python; the translator below turns it into terse.<Code>Error.
struct EngineError {
    std::string code;
    std::string detail;
};

[[noreturn]] void raise(const terse::Error &e)
{
    throw EngineError{terse::errorCodeName(e.code), e.detail};
}
[[noreturn]] void raise(terse::ErrorCode code, const std::string &detail)
{
    raise(terse::Error{code, detail});
}

template <class T> T unwrap(terse::Result<T> r)
{
    if (!r)
        raise(r.error());
    return std::move(r).value();
}

void unwrap(const terse::Result<void> &r)
{
    if (!r)
        raise(r.error());
}

// Python passes text as str, which pybind11 hands over as UTF-8: valid by construction except for
// lone surrogates, which fail in the conversion with UnicodeEncodeError before we get here.

// Byte offsets of UTF-8 text to Python str (code point) indices: index[b] for every byte offset b.
std::vector<long> codePointIndex(const std::string &text)
{
    std::vector<long> index(text.size() + 1, 0);
    long cp = 0;
    for (std::size_t b = 0; b < text.size(); ++b) {
        index[b] = cp;
        if ((static_cast<unsigned char>(text[b]) & 0xC0) != 0x80)
            ++cp;
        // A continuation byte maps to the code point it belongs to (already counted).
        if ((static_cast<unsigned char>(text[b]) & 0xC0) == 0x80)
            index[b] = cp - 1;
    }
    index[text.size()] = cp;
    return index;
}

py::object number(float v)
{
    if (std::isnan(v))
        return py::float_(NAN);
    return py::float_(v);
}

py::list floats(const std::vector<float> &v)
{
    py::list out;
    for (float f : v)
        out.append(number(f));
    return out;
}

// Runs `fn` with the GIL released while the calling thread can still be interrupted (Ctrl-C) and
// report progress to a Python callable: the engine reports on the calling thread, which takes the
// GIL for the moment of the callback. A callback that raises, or a pending KeyboardInterrupt,
// cancels the job and the Python exception is raised when the engine returns.
template <class Fn> auto runInterruptible(const py::object &progress, Fn &&fn)
{
    terse::JobContext base;
    bool pythonError = false;
    const auto caller = std::this_thread::get_id();
    terse::JobContext job =
        base.child([&](long long done, long long total, const std::string &stage) {
            if (pythonError || std::this_thread::get_id() != caller)
                return;
            py::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() != 0) {
                pythonError = true; // the error indicator holds the KeyboardInterrupt
                base.cancel();
                return;
            }
            if (progress.is_none())
                return;
            try {
                progress(done, total, stage);
            } catch (py::error_already_set &e) {
                e.restore();
                pythonError = true;
                base.cancel();
            }
        });
    auto result = [&] {
        py::gil_scoped_release release;
        return fn(job);
    }();
    if (pythonError)
        throw py::error_already_set();
    return result;
}

// --- options
// ---------------------------------------------------------------------------------------

terse::CompressOptions
makeOptions(const std::string &method, double rate, long targetTokens, const std::string &mode,
            std::uint64_t seed, const std::string &model, const std::string &device,
            const std::string &targetTokenizer, const std::map<std::string, std::string> &params,
            const std::vector<std::tuple<int, std::size_t, std::size_t, bool>> &pins,
            bool findQuestion, const std::string &wordVectors)
{
    const terse::MethodInfo info = unwrap(terse::findMethod(method));
    terse::CompressOptions o;
    o.method = info.name;
    if (!(rate > 0.0 && rate <= 1.0))
        raise(terse::ErrorCode::InvalidArgument,
              "rate must be in (0, 1], got " + std::to_string(rate));
    o.rate = rate;
    if (targetTokens < -1)
        raise(terse::ErrorCode::InvalidArgument,
              "target_token must be -1 (use rate) or a token count >= 0, got " +
                  std::to_string(targetTokens));
    o.targetTokens = targetTokens;
    o.mode = unwrap(terse::parseMode(mode));
    o.seed = seed;
    if (!model.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(model, ec))
            raise(terse::ErrorCode::NotFound, "model '" + model + "' does not exist");
    }
    o.model = model;
    o.device = unwrap(terse::resolveDevice(device));
    o.targetTokenizer = targetTokenizer;
    unwrap(terse::validateMethodParams(info, params, "option"));
    o.params = params;
    o.findQuestion = findQuestion;
    o.wordVectors = wordVectors;
    if (o.mode == terse::CompressionMode::Corrected && !wordVectors.empty() &&
        wordVectors != "none")
        unwrap(terse::WordVectors::loadShared(wordVectors)); // a bad file fails here, by name
    for (const auto &[segment, begin, end, keep] : pins)
        o.pinned.push_back({segment, {begin, end}, keep});
    return o;
}

// --- compressor
// --------------------------------------------------------------------------------------

// One engine compressor. The engine allows one call at a time per instance; a second thread that
// tries gets a clear error instead of a data race.
class PyCompressor {
public:
    explicit PyCompressor(const std::string &method)
        : m_compressor(unwrap(terse::createCompressor(method)))
    {
    }

    std::string name() const { return m_compressor->name(); }

    // Compresses a structured prompt; returns the result as `terse compress --json` prints it.
    std::string compress(const std::string &instruction, const std::vector<std::string> &contexts,
                         const std::string &question, const terse::CompressOptions &options,
                         const py::object &progress)
    {
        const terse::Prompt prompt =
            unwrap(terse::structuredPrompt(instruction, contexts, question));
        Busy busy(*this);
        auto result = runInterruptible(progress, [&](const terse::JobContext &job) {
            return m_compressor->compress(prompt, options, job);
        });
        return terse::compressionResultJson(unwrap(std::move(result)));
    }

    // One JSONL line, as `terse compress --jsonl` handles it: (record, error, error code,
    // warnings). A bad line or a failed compression gives the {"id", "line", "error"} record and
    // the error; the caller decides whether that stops the batch.
    py::tuple compressLine(const std::string &text, long number,
                           const terse::CompressOptions &options, bool full)
    {
        const terse::BatchLine line = terse::parseBatchLine(text, number);
        if (!line.error.empty())
            return py::make_tuple(terse::errorRecord(line, line.error), line.error, "invalid_input",
                                  py::list());
        Busy busy(*this);
        auto result = runInterruptible(py::none(), [&](const terse::JobContext &job) {
            return m_compressor->compress(line.prompt, options, job);
        });
        if (!result)
            return py::make_tuple(terse::errorRecord(line, result.error().detail),
                                  result.error().detail, terse::errorCodeName(result.error().code),
                                  py::list());
        py::list warnings; // (code, detail, is_note): notes are summarised once per batch, as the
                           // CLI does
        for (const auto &w : result->warnings)
            warnings.append(py::make_tuple(w.code, w.detail, terse::isNote(w.code)));
        return py::make_tuple(terse::compressionRecord(line, *result, full), py::none(), py::none(),
                              warnings);
    }

private:
    struct Busy {
        explicit Busy(PyCompressor &c) : lock(c.m_busy, std::try_to_lock)
        {
            if (!lock.owns_lock())
                throw py::value_error("this compressor is already compressing in another thread; a "
                                      "compressor serves one "
                                      "thread at a time (create one per thread)");
        }
        std::unique_lock<std::mutex> lock;
    };
    std::unique_ptr<terse::Compressor> m_compressor;
    std::mutex m_busy;
};

// --- models and tokenizers
// -------------------------------------------------------------------------------

py::dict modelInfo(const terse::ModelInfo &i)
{
    return py::dict("path"_a = i.path, "architecture"_a = i.architecture, "format"_a = i.format,
                    "kind"_a =
                        i.kind == terse::ModelKind::CausalLM ? "causal_lm" : "token_classifier",
                    "parameters"_a = i.parameters, "layers"_a = i.layers, "heads"_a = i.heads,
                    "kv_heads"_a = i.kvHeads, "hidden"_a = i.hidden, "vocab_size"_a = i.vocabSize,
                    "num_labels"_a = i.numLabels, "max_positions"_a = i.maxPositions,
                    "dtype"_a = i.dtype, "device"_a = i.device);
}

class PyModel {
public:
    PyModel(const std::string &path, const std::string &dtype, const std::string &device)
    {
        terse::ModelLoadOptions o;
        o.dtype = unwrap(terse::parseDtype(dtype));
        o.device = unwrap(terse::resolveDevice(device));
        m_path = path;
        auto m = [&] {
            py::gil_scoped_release release;
            return terse::Model::load(path, o);
        }();
        m_model = std::make_unique<terse::Model>(unwrap(std::move(m)));
    }

    py::dict info() const { return modelInfo(m_model->info()); }

    // Scores one sequence of ids: surprisal and entropy (causal LMs), keep probabilities
    // (classifiers), top-k alternatives, attention column means.
    py::dict score(const std::vector<int> &ids, int topK, bool attention,
                   const py::object &progress) const
    {
        if (ids.empty())
            raise(terse::ErrorCode::InvalidInput, "no token ids to score");
        terse::ScoreRequest req;
        req.topK = topK < 0 ? 0 : topK;
        req.wantCausalColumnMeans = attention;
        auto r = unwrap(runInterruptible(progress, [&](const terse::JobContext &job) {
            return m_model->score({ids}, req, job);
        }));
        const terse::SequenceScores &s = r.sequences.at(0);
        py::dict out("ids"_a = s.ids, "entropy"_a = floats(s.entropy), "windows"_a = r.windows,
                     "seconds"_a = r.seconds);
        if (m_model->info().kind == terse::ModelKind::CausalLM) {
            out["surprisal"] = floats(s.surprisal);
            out["next_token_logprob"] = floats(s.nextTokenLogprob);
        } else {
            const int labels = std::max(1, m_model->info().numLabels);
            py::list rows;
            for (std::size_t t = 0; t * labels < s.classProbs.size(); ++t)
                rows.append(floats(
                    {s.classProbs.begin() + t * labels, s.classProbs.begin() + (t + 1) * labels}));
            out["class_probs"] = rows;
        }
        if (req.topK > 0 && !s.topK.empty()) {
            py::list rows;
            const std::size_t k = static_cast<std::size_t>(req.topK);
            for (std::size_t t = 0; t * k < s.topK.size(); ++t) {
                py::list row;
                for (std::size_t j = 0; j < k; ++j)
                    row.append(
                        py::make_tuple(s.topK[t * k + j].id, number(s.topK[t * k + j].logprob)));
                rows.append(row);
            }
            out["top_k"] = rows;
        }
        if (attention) {
            py::list layers;
            const std::size_t n = s.ids.size();
            for (std::size_t l = 0; n > 0 && (l + 1) * n <= s.causalColumnMeans.size(); ++l)
                layers.append(floats({s.causalColumnMeans.begin() + l * n,
                                      s.causalColumnMeans.begin() + (l + 1) * n}));
            out["attention"] = layers;
        }
        return out;
    }

    const std::string &path() const { return m_path; }

private:
    std::unique_ptr<terse::Model> m_model;
    std::string m_path;
};

// A tokenizer by bundled tiktoken name ("cl100k_base"), tokenizer file or model folder.
terse::Tokenizer loadTokenizer(const std::string &spec)
{
    if (spec.find('/') == std::string::npos && spec.find('.') == std::string::npos) {
        auto path = terse::targetTokenizerPath(spec);
        if (path)
            return unwrap(terse::Tokenizer::load(*path));
        std::error_code ec;
        if (!std::filesystem::exists(spec, ec))
            raise(path.error());
    }
    std::error_code ec;
    if (!std::filesystem::exists(spec, ec))
        raise(terse::ErrorCode::NotFound,
              "tokenizer '" + spec +
                  "' does not exist (give a bundled tiktoken name "
                  "such as cl100k_base, a tokenizer file or a model folder)");
    if (std::filesystem::is_directory(spec, ec) &&
        std::filesystem::exists(std::filesystem::path(spec) / "config.json", ec))
        return unwrap(terse::Tokenizer::forModel(spec));
    return unwrap(terse::Tokenizer::load(spec));
}

class PyTokenizer {
public:
    explicit PyTokenizer(const std::string &spec) : m_tok(loadTokenizer(spec)) {}

    py::dict encode(const std::string &text, bool addSpecial, bool allowSpecial) const
    {
        terse::EncodeOptions o;
        o.addSpecial = addSpecial;
        o.specialText = allowSpecial ? terse::SpecialText::Allow : terse::SpecialText::AsText;
        terse::Result<terse::Encoding> enc = terse::fail(terse::ErrorCode::Internal, "");
        {
            py::gil_scoped_release release;
            enc = m_tok.encode(text, o);
        }
        const terse::Encoding e = unwrap(std::move(enc));
        const std::vector<long> cp = codePointIndex(text);
        py::list offsets;
        for (const auto &s : e.spans)
            offsets.append(py::make_tuple(cp[std::min(s.begin, text.size())],
                                          cp[std::min(s.end, text.size())]));
        // The text each token covers (vocabulary strings of byte-level BPE are not readable text).
        py::list pieces;
        for (const auto &s : e.spans)
            pieces.append(py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(
                text.data() + s.begin, static_cast<Py_ssize_t>(s.end - s.begin), "replace")));
        return py::dict("ids"_a = e.ids, "offsets"_a = offsets, "pieces"_a = pieces);
    }

    std::size_t count(const std::string &text, bool allowSpecial) const
    {
        terse::EncodeOptions o;
        o.specialText = allowSpecial ? terse::SpecialText::Allow : terse::SpecialText::AsText;
        terse::Result<std::size_t> n = terse::fail(terse::ErrorCode::Internal, "");
        {
            py::gil_scoped_release release;
            n = m_tok.countTokens(text, o);
        }
        return unwrap(std::move(n));
    }

    std::string decode(const std::vector<std::int32_t> &ids, bool skipSpecial) const
    {
        return unwrap(m_tok.decode(ids, skipSpecial));
    }

    std::string kind() const { return m_tok.kind(); }
    std::string source() const { return m_tok.source(); }
    std::size_t vocabSize() const { return m_tok.vocabSize(); }

private:
    terse::Tokenizer m_tok;
};

const char *typeName(terse::OptionSpec::Type t)
{
    switch (t) {
    case terse::OptionSpec::Type::Double:
        return "float";
    case terse::OptionSpec::Type::Int:
        return "int";
    case terse::OptionSpec::Type::Bool:
        return "bool";
    case terse::OptionSpec::Type::Choice:
        return "choice";
    case terse::OptionSpec::Type::String:
        return "str";
    }
    return "str";
}

py::list methods()
{
    py::list out;
    for (const auto &m : terse::availableMethods()) {
        py::list options;
        for (const auto &o : m.options) {
            py::dict d("name"_a = o.name, "label"_a = o.label, "help"_a = o.help,
                       "type"_a = typeName(o.type), "default"_a = o.defaultValue);
            if (o.type == terse::OptionSpec::Type::Double ||
                o.type == terse::OptionSpec::Type::Int) {
                d["min"] = o.minValue;
                d["max"] = o.maxValue;
            }
            if (o.type == terse::OptionSpec::Type::Choice)
                d["choices"] = o.choices;
            options.append(d);
        }
        out.append(py::dict("name"_a = m.name, "display_name"_a = m.displayName,
                            "description"_a = m.description, "options"_a = options));
    }
    return out;
}

} // namespace

PYBIND11_MODULE(_terse, m)
{
    m.doc() = "Terse's engine (prompt compression, scoring, tokenizers); use the terse package, "
              "not this module.";

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p)
                std::rethrow_exception(p);
        } catch (const EngineError &e) {
            try {
                py::object exc =
                    py::module_::import("terse._errors").attr("from_engine")(e.code, e.detail);
                PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exc.ptr())), exc.ptr());
            } catch (py::error_already_set &inner) {
                inner.restore(); // terse._errors itself failed: report that, it is what is broken
            }
        }
    });

    m.def("version", [] { return std::string(terse::engineVersion()); });
    m.def(
        "init_runtime",
        [](int threads) {
            const terse::RuntimeInfo i = terse::initRuntime(threads);
            return py::dict("threads"_a = i.threads, "cuda_available"_a = i.cudaAvailable,
                            "torch_version"_a = i.torchVersion, "blas"_a = i.blas);
        },
        "threads"_a = 0);
    m.def("runtime_threads", &terse::runtimeThreads);
    m.def("methods", &methods);
    m.def("default_model", [](const std::string &which) {
        if (which != "lm" && which != "tagger")
            raise(terse::ErrorCode::InvalidArgument,
                  "default_model expects 'lm' or 'tagger', got '" + which + "'");
        return unwrap(terse::defaultModelPath(which == "lm" ? terse::DefaultModel::CausalLM
                                                            : terse::DefaultModel::Tagger));
    });
    m.def(
        "hub_models",
        [](const std::string &root) {
            py::list out;
            for (const auto &c : unwrap(terse::scanHuggingFaceCache(root)))
                out.append(py::dict("repo_id"_a = c.repoId, "revision"_a = c.revision,
                                    "path"_a = c.path, "model_type"_a = c.modelType,
                                    "has_safetensors"_a = c.hasSafetensors,
                                    "pickle_only"_a = c.hasPickleOnly, "gguf"_a = c.gguf));
            return out;
        },
        "root"_a = "");
    m.def(
        "export_gguf",
        [](const std::string &model, const std::string &out, const std::string &type,
           const std::string &tokenizer, bool withTokenizer, const std::string &name) {
            terse::GgufExportOptions o;
            o.model = model;
            o.out = out;
            o.type = type;
            o.tokenizer = tokenizer;
            o.withTokenizer = withTokenizer;
            o.name = name;
            terse::Result<terse::GgufExportReport> x = terse::Error{};
            {
                py::gil_scoped_release release;
                x = terse::exportGguf(o);
            }
            const terse::GgufExportReport r = unwrap(std::move(x));
            return py::dict(
                "out"_a = r.out, "bytes"_a = r.bytes, "parameters"_a = r.parameters,
                "architecture"_a = r.architecture, "tensors"_a = r.tensors,
                "tensors_by_type"_a = r.tensorsByType, "tokenizer_model"_a = r.tokenizerModel,
                "tokenizer_pre"_a = r.tokenizerPre, "notes"_a = r.notes, "seconds"_a = r.seconds);
        },
        "model"_a, "out"_a, "type"_a, "tokenizer"_a, "with_tokenizer"_a, "name"_a);
    m.def("check_line", [](const std::string &text, long number) -> py::object {
        const terse::BatchLine l = terse::parseBatchLine(text, number);
        if (l.error.empty())
            return py::none();
        return py::make_tuple(terse::errorRecord(l, l.error), l.error);
    });
    m.def("line_message", &terse::lineMessage);

    py::class_<terse::CompressOptions>(
        m, "Options", "Validated options of one compression (terse._terse.options).")
        .def_property_readonly("method", [](const terse::CompressOptions &o) { return o.method; })
        .def_property_readonly("rate", [](const terse::CompressOptions &o) { return o.rate; })
        .def_property_readonly("target_tokens",
                               [](const terse::CompressOptions &o) { return o.targetTokens; })
        .def_property_readonly(
            "mode",
            [](const terse::CompressOptions &o) { return std::string(terse::modeName(o.mode)); })
        .def_property_readonly("model", [](const terse::CompressOptions &o) { return o.model; })
        .def_property_readonly("device", [](const terse::CompressOptions &o) { return o.device; })
        .def_property_readonly("target_tokenizer",
                               [](const terse::CompressOptions &o) { return o.targetTokenizer; })
        .def_property_readonly("params", [](const terse::CompressOptions &o) { return o.params; })
        .def_property_readonly("find_question",
                               [](const terse::CompressOptions &o) { return o.findQuestion; })
        .def_property_readonly("word_vectors",
                               [](const terse::CompressOptions &o) { return o.wordVectors; });
    m.def("options", &makeOptions, "method"_a, "rate"_a = 0.5, "target_tokens"_a = -1,
          "mode"_a = "corrected", "seed"_a = 42, "model"_a = "", "device"_a = "cpu",
          "target_tokenizer"_a = "cl100k_base", "params"_a = std::map<std::string, std::string>(),
          "pins"_a = std::vector<std::tuple<int, std::size_t, std::size_t, bool>>(),
          "find_question"_a = true, "word_vectors"_a = "");

    py::class_<PyCompressor>(m, "Compressor")
        .def(py::init<const std::string &>(), "method"_a)
        .def_property_readonly("name", &PyCompressor::name)
        .def("compress", &PyCompressor::compress, "instruction"_a, "contexts"_a, "question"_a,
             "options"_a, "progress"_a = py::none())
        .def("compress_line", &PyCompressor::compressLine, "text"_a, "number"_a, "options"_a,
             "full"_a = false);

    py::class_<PyModel>(m, "Model")
        .def(py::init<const std::string &, const std::string &, const std::string &>(), "path"_a,
             "dtype"_a = "float32", "device"_a = "cpu")
        .def_property_readonly("info", &PyModel::info)
        .def_property_readonly("path", &PyModel::path)
        .def("score", &PyModel::score, "ids"_a, "top_k"_a = 0, "attention"_a = false,
             "progress"_a = py::none());

    py::class_<PyTokenizer>(m, "Tokenizer")
        .def(py::init<const std::string &>(), "spec"_a)
        .def("encode", &PyTokenizer::encode, "text"_a, "add_special"_a = false,
             "allow_special"_a = false)
        .def("count", &PyTokenizer::count, "text"_a, "allow_special"_a = false)
        .def("decode", &PyTokenizer::decode, "ids"_a, "skip_special"_a = false)
        .def_property_readonly("kind", &PyTokenizer::kind)
        .def_property_readonly("source", &PyTokenizer::source)
        .def_property_readonly("vocab_size", &PyTokenizer::vocabSize);
}
