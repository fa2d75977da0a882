// Word-vector files (`terse train vectors`), read through the engine's checked safetensors loader.
#include "terse/word_vectors.h"

#include "terse/resources.h"
#include "terse/weights.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <list>
#include <mutex>

namespace terse {

namespace fs = std::filesystem;

namespace {

constexpr const char *kFileName = "word_vectors.safetensors";

} // namespace

Result<std::shared_ptr<const WordVectors>> WordVectors::load(const std::string &given)
{
    std::string path = given;
    std::error_code ec;
    if (fs::is_directory(path, ec))
        path = (fs::path(path) / kFileName).string();
    if (!fs::exists(path, ec))
        return fail(ErrorCode::NotFound, "word vectors '" + path + "' not found");
    auto info = inspectWeights(path);
    if (!info)
        return info.error();
    auto bad = [&](const std::string &what) {
        return fail(ErrorCode::FormatError, "word vectors '" + path + "': " + what);
    };
    if (info->format != "safetensors")
        return bad("expected a .safetensors file, found " + info->format);
    const TensorInfo *tensor = nullptr;
    for (const auto &t : info->tensors)
        if (t.name == "word_vectors")
            tensor = &t;
    if (!tensor)
        return bad("no tensor 'word_vectors'");
    if (tensor->shape.size() != 2 || tensor->shape[0] < 1 || tensor->shape[1] < 1 ||
        tensor->shape[1] > 4096)
        return bad("tensor 'word_vectors' must be [words, dim] with 1 <= dim <= 4096");
    auto meta = [&](const char *key) -> const std::string * {
        auto it = info->metadata.find(key);
        return it != info->metadata.end() && it->second.kind == MetaValue::Kind::String
                   ? &it->second.text
                   : nullptr;
    };
    const std::string *vocab = meta("vocab");
    if (!vocab)
        return bad("metadata 'vocab' (one word a line) is missing");
    auto out = std::make_shared<WordVectors>();
    out->m_source = path;
    out->m_dim = static_cast<int>(tensor->shape[1]);
    const auto rows = static_cast<std::size_t>(tensor->shape[0]);
    for (std::size_t b = 0; b <= vocab->size();) {
        const std::size_t e = std::min(vocab->find('\n', b), vocab->size());
        std::string w = vocab->substr(b, e - b);
        if (w.empty())
            return bad("metadata 'vocab': word " + std::to_string(out->m_words.size() + 1) +
                       " is empty");
        if (!out->m_index.emplace(w, static_cast<int>(out->m_words.size())).second)
            return bad("metadata 'vocab': '" + w + "' appears twice");
        out->m_words.push_back(std::move(w));
        if (out->m_words.size() > rows)
            break;
        b = e + 1;
    }
    if (out->m_words.size() != rows)
        return bad("metadata 'vocab' has " + std::to_string(out->m_words.size()) + " words for " +
                   std::to_string(rows) + " rows of 'word_vectors'");
    if (const std::string *counts = meta("counts")) {
        const char *p = counts->c_str();
        while (*p) {
            char *end = nullptr;
            const long long c = std::strtoll(p, &end, 10);
            if (end == p || c < 0 || (*end && *end != ' '))
                return bad("metadata 'counts' must be non-negative integers separated by spaces");
            out->m_counts.push_back(c);
            p = *end ? end + 1 : end;
        }
        if (out->m_counts.size() != rows)
            return bad("metadata 'counts' has " + std::to_string(out->m_counts.size()) +
                       " numbers for " + std::to_string(rows) + " words");
    }
    auto values = readTensorAsFloat(path, "word_vectors");
    if (!values)
        return values.error();
    out->m_unit = std::move(*values);
    const auto dim = static_cast<std::size_t>(out->m_dim);
    // Centred before normalising (Mu & Viswanath 2018, "All-but-the-Top"): skip-gram vectors share
    // a large common direction (mean cosine of random word pairs ~0.4 in terse-words), which makes
    // every pair look alike; without it random pairs average ~0.
    std::vector<double> mean(dim, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
        const float *v = &out->m_unit[r * dim];
        for (std::size_t k = 0; k < dim; ++k) {
            if (!std::isfinite(v[k]))
                return bad("the vector of '" + out->m_words[r] + "' holds a non-finite value");
            mean[k] += v[k];
        }
    }
    for (double &m : mean)
        m /= static_cast<double>(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        float *v = &out->m_unit[r * dim];
        double norm = 0;
        for (std::size_t k = 0; k < dim; ++k) {
            v[k] = static_cast<float>(v[k] - mean[k]);
            norm += static_cast<double>(v[k]) * v[k];
        }
        if (norm > 0)
            for (std::size_t k = 0; k < dim; ++k)
                v[k] = static_cast<float>(v[k] / std::sqrt(norm));
    }
    return std::shared_ptr<const WordVectors>(std::move(out));
}

Result<std::shared_ptr<const WordVectors>> WordVectors::loadShared(const std::string &path)
{
    // A small LRU (a file is ~10 MB): ranking calls this once per compression.
    static std::mutex mutex;
    static std::list<std::pair<std::string, std::shared_ptr<const WordVectors>>> cache;
    std::error_code ec;
    const std::string key = fs::weakly_canonical(path, ec).string();
    std::lock_guard lock(mutex);
    for (auto it = cache.begin(); it != cache.end(); ++it)
        if (it->first == key) {
            cache.splice(cache.begin(), cache, it);
            return cache.front().second;
        }
    auto loaded = load(path);
    if (!loaded)
        return loaded.error();
    cache.emplace_front(key, *loaded);
    if (cache.size() > 3)
        cache.pop_back();
    return *loaded;
}

Result<std::shared_ptr<const WordVectors>> WordVectors::loadDefault()
{
    const std::string dir = resourcesDir();
    if (dir.empty())
        return fail(ErrorCode::NotFound, "no resources folder found (set TERSE_RESOURCES_DIR)");
    return loadShared((fs::path(dir) / "models" / "terse-words" / kFileName).string());
}

int WordVectors::find(std::string_view word) const
{
    auto it = m_index.find(std::string(word));
    return it == m_index.end() ? -1 : it->second;
}

float WordVectors::similarity(int a, int b) const
{
    const auto dim = static_cast<std::size_t>(m_dim);
    const float *x = &m_unit[static_cast<std::size_t>(a) * dim];
    const float *y = &m_unit[static_cast<std::size_t>(b) * dim];
    float s = 0;
    for (std::size_t k = 0; k < dim; ++k)
        s += x[k] * y[k];
    return std::clamp(s, -1.0f, 1.0f);
}

std::vector<std::pair<std::string, float>> WordVectors::nearest(std::string_view word, int k) const
{
    const int id = find(word);
    std::vector<std::pair<std::string, float>> out;
    if (id < 0 || k <= 0)
        return out;
    std::vector<std::pair<float, int>> all;
    all.reserve(m_words.size());
    for (int j = 0; j < size(); ++j)
        if (j != id)
            all.emplace_back(similarity(id, j), j);
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(k), all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<long>(n), all.end(),
                      [](const auto &a, const auto &b) { return a.first > b.first; });
    for (std::size_t i = 0; i < n; ++i)
        out.emplace_back(m_words[static_cast<std::size_t>(all[i].second)], all[i].first);
    return out;
}

} // namespace terse
