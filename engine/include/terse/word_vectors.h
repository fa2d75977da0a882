#pragma once
// Word vectors (`terse train vectors`): lower-cased words and their unit-length vectors, for
// ranking that matches a question's words to their near-synonyms in a document ("movie" and
// "film") without running a language model. Torch-free.

#include "terse/result.h"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace terse {

class WordVectors {
public:
    // Reads a word-vector .safetensors file (tensor "word_vectors" [words, dim], metadata "vocab"
    // with one word a line and optionally "counts"), or a folder holding word_vectors.safetensors.
    // Errors: NotFound, FormatError naming the file and the field (rows and words disagree, a
    // repeated or empty word, a non-finite value), Unsupported (pickle files).
    static Result<std::shared_ptr<const WordVectors>> load(const std::string &path);
    // The same, shared by every caller in this process (the last few files loaded stay loaded).
    static Result<std::shared_ptr<const WordVectors>> loadShared(const std::string &path);
    // The bundled vectors (resources/models/terse-words), loaded once; NotFound when absent.
    static Result<std::shared_ptr<const WordVectors>> loadDefault();

    int size() const { return static_cast<int>(m_words.size()); }
    int dim() const { return m_dim; }
    // The id of a lower-cased word, or -1.
    int find(std::string_view word) const;
    const std::string &word(int id) const { return m_words[static_cast<std::size_t>(id)]; }
    // Occurrences in the training corpus (0 when the file has no counts).
    long long count(int id) const
    {
        return m_counts.empty() ? 0 : m_counts[static_cast<std::size_t>(id)];
    }
    // Cosine similarity of two words by id, in [-1, 1] (0 for an all-zero vector).
    float similarity(int a, int b) const;
    // The k words closest to `word` (itself excluded), best first; empty when it is unknown.
    std::vector<std::pair<std::string, float>> nearest(std::string_view word, int k) const;
    const std::string &source() const { return m_source; }

private:
    std::string m_source;
    int m_dim = 0;
    std::vector<std::string> m_words;
    std::vector<long long> m_counts;
    std::vector<float> m_unit; // [words * dim], each row of length 1 (or 0)
    std::unordered_map<std::string, int> m_index;
};

} // namespace terse
