"""Terse from Python: prompt compression with the same engine as the Terse workbench and the ``terse`` CLI.

    from terse import PromptCompressor          # instead of: from llmlingua import PromptCompressor
    compressor = PromptCompressor()             # LLMLingua-2 with Terse's bundled tagger
    result = compressor.compress_prompt(prompt, rate=0.33, force_tokens=["\\n", "?"])
    result["compressed_prompt"], result["ratio"], result["achieved_rate"]

Also: ``terse.methods()`` (every method with its option specs), ``terse.score()`` (surprisal, entropy and
attention of a causal LM, or a tagger's keep probabilities), ``terse.tokenize()`` / ``terse.count_tokens()``,
and ``python3 -m terse.dask`` for batch compression on a Dask cluster.

Threads: the engine releases the GIL while it works, so compressors in different Python threads run in
parallel. One PromptCompressor serves one thread at a time; a second thread calling it meanwhile gets a
ValueError (create one compressor per thread; they share loaded models through the engine's model cache).

Errors are terse.Error subclasses carrying the engine's ``code`` and ``detail`` (see terse._errors).
"""

import functools
import json
import os
import warnings

from . import _config

# Installed (cmake --install), the bundled models and tokenizers are in <prefix>/share/terse; the engine
# finds them through TERSE_RESOURCES_DIR (a value the user set wins).
if _config.RESOURCES_RELATIVE and not os.environ.get("TERSE_RESOURCES_DIR"):
    _resources = os.path.normpath(os.path.join(os.path.dirname(__file__), _config.RESOURCES_RELATIVE))
    if os.path.isdir(_resources):
        os.environ["TERSE_RESOURCES_DIR"] = _resources

# OpenMP threads sleep at barriers instead of spinning (libgomp reads this once, when libtorch loads with
# _terse below): spinning made 2 threads slower than 1 beside other work (issue 16). A value the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import _terse  # noqa: E402  (after the environment is set)
from ._errors import (CancelledError, DatabaseError, Error, FormatError, InternalError, InvalidArgumentError,
                      InvalidInputError, IOFailedError, ModelError, NotFoundError, UnsupportedError)

__version__ = _terse.version()

__all__ = ["PromptCompressor", "methods", "score", "tokenize", "count_tokens", "decode", "set_threads",
           "hub_models", "export_gguf", "TerseWarning", "Error", "InvalidArgumentError", "InvalidInputError", "NotFoundError",
           "IOFailedError", "FormatError", "UnsupportedError", "CancelledError", "ModelError", "DatabaseError",
           "InternalError"]


class TerseWarning(UserWarning):
    """Something was accepted but works differently from LLMLingua (an ignored argument, a stand-in model)."""


def methods():
    """Every compression method: name, display_name, description and options (name, type, default, help,
    min/max for numbers, choices for choices). The options are what compress_prompt() accepts as keywords."""
    return _terse.methods()


_threads_chosen = False


def set_threads(threads):
    """Sets the engine's intra-op thread count for this process (default: the number of cores, or
    OMP_NUM_THREADS when set). Returns the runtime facts: threads, cuda_available, torch_version, blas."""
    global _threads_chosen
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise InvalidArgumentError(f"threads must be a positive integer, got {threads!r}")
    _threads_chosen = True
    return _terse.init_runtime(threads)


def _default_threads():
    # libtorch starts with one thread; like the CLI, use every core (or OMP_NUM_THREADS) unless the user chose.
    global _threads_chosen
    if not _threads_chosen:
        _threads_chosen = True
        _terse.init_runtime(0)


def hub_models(root=""):
    """Models in the HuggingFace hub cache ($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub):
    repo_id, revision, path, model_type, has_safetensors, pickle_only, gguf (path is one .gguf file of a
    GGUF repository, listed one entry per file)."""
    return _terse.hub_models(root)


def export_gguf(model, out, *, type="q8_0", tokenizer=None, with_tokenizer=True, name=None):
    """Writes a Llama-family causal LM (llama, mistral, qwen2: a model folder, .safetensors, .gguf or llama2.c
    checkpoint) as one GGUF file with its tokenizer inside, as ``terse export`` does: matrices as ``type``
    ("q8_0", "bf16", "f16", "f32"), norms in F32. ``tokenizer``: another tokenizer file to write in (default:
    the model's own); ``with_tokenizer=False`` writes none. Returns {"out", "bytes", "parameters",
    "architecture", "tensors", "tensors_by_type", "tokenizer_model", "tokenizer_pre", "notes", "seconds"}."""
    if tokenizer is not None and not with_tokenizer:
        raise InvalidArgumentError("export_gguf: give tokenizer or with_tokenizer=False, not both")
    return _terse.export_gguf(os.fspath(model), os.fspath(out), str(type),
                              "" if tokenizer is None else os.fspath(tokenizer), bool(with_tokenizer),
                              "" if name is None else str(name))


@functools.lru_cache(maxsize=8)
def _tokenizer(spec):
    return _terse.Tokenizer(spec)


def tokenize(text, tokenizer="cl100k_base", *, add_special=False, allow_special=False):
    """Tokenizes ``text`` with a bundled tiktoken encoding ("cl100k_base", "o200k_base"), a tokenizer file
    (tokenizer.json, vocab.txt, *.model, *.tiktoken) or a model folder. Returns {"ids", "offsets", "pieces"}:
    offsets are (start, end) indices into ``text`` (str indices), pieces the text each token covers.
    Special-token text ("<|endoftext|>") is encoded as ordinary text unless ``allow_special``."""
    _check_text("text", text)
    return _tokenizer(str(tokenizer)).encode(text, add_special, allow_special)


def count_tokens(text, tokenizer="cl100k_base", *, allow_special=False):
    """The number of tokens of ``text`` (as tokenize(), without building the token list)."""
    _check_text("text", text)
    return _tokenizer(str(tokenizer)).count(text, allow_special)


def decode(ids, tokenizer="cl100k_base", *, skip_special=False):
    """Token ids back to text."""
    return _tokenizer(str(tokenizer)).decode(list(ids), skip_special)


_MODEL_CACHE = {}


def _model(path, dtype, device):
    key = (path, dtype, device)
    model = _MODEL_CACHE.get(key)
    if model is None:
        model = _terse.Model(path, dtype, device)
        if len(_MODEL_CACHE) >= 2:  # keep memory bounded: the two most recent models
            _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
        _MODEL_CACHE[key] = model
    return model


def score(text_or_ids, model=None, *, dtype="float32", device="cpu", top_k=0, attention=False, progress=None):
    """Scores a text or a list of token ids with a model (default: Terse's bundled causal LM).

    Causal LMs give ``surprisal[t]`` = -log p(ids[t] | ids[<t]) (nats; NaN for the first token),
    ``next_token_logprob`` (the reference's shifted order), ``entropy[t]`` of the prediction made at t;
    token classifiers give ``class_probs`` per token. ``top_k`` adds the k likeliest next tokens as
    (id, logprob); ``attention`` adds each layer's causal column means. Text is tokenized with the model's
    own tokenizer (BOS added where it adds one); the result then also has ``offsets`` and ``pieces``.
    Prompts longer than the model's context are scored in windows (``windows`` > 1)."""
    path = _model_path(model, "lm")
    _default_threads()
    loaded = _model(path, dtype, device)
    encoding = None
    if isinstance(text_or_ids, str):
        _check_text("text", text_or_ids)
        encoding = _tokenizer(path).encode(text_or_ids, True, False)
        ids = encoding["ids"]
    else:
        try:
            ids = [int(i) for i in text_or_ids]
        except (TypeError, ValueError):
            raise InvalidArgumentError("score expects a str or a list of token ids, got "
                                       f"{type(text_or_ids).__name__}") from None
    result = loaded.score(ids, top_k, attention, progress)
    result["model"] = loaded.info
    if encoding is not None:
        result["offsets"] = encoding["offsets"]
        result["pieces"] = encoding["pieces"]
    return result


def _check_text(name, value):
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a str, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        # A lone surrogate (e.g. from surrogateescape decoding) has no UTF-8 form.
        raise InvalidInputError(f"{name} is not valid Unicode text: {e.reason} at index {e.start}") from None


def _model_path(model, which):
    if model is None or model == "":
        return _terse.default_model(which)
    path = os.fspath(model)
    if not os.path.exists(path):
        raise NotFoundError(f"model '{path}' does not exist")
    return path


# --- LLMLingua compatibility ---------------------------------------------------------------------------

# compress_prompt() keywords of LLMLingua (v1/LongLLMLingua and LLMLingua-2). LLMLingua ignores those that
# do not apply to the method in use; so does Terse, with a TerseWarning.
_LLMLINGUA1_ARGS = {
    "iterative_size", "force_context_ids", "force_context_number", "use_sentence_level_filter",
    "use_context_level_filter", "use_token_level_filter", "keep_split", "keep_first_sentence",
    "keep_last_sentence", "keep_sentence_number", "high_priority_bonus", "context_budget", "token_budget_ratio",
    "condition_in_question", "reorder_context", "dynamic_context_compression_ratio", "condition_compare",
    "add_instruction", "rank_method", "concate_question", "strict_preserve_uncompressed",
}
_LLMLINGUA2_ARGS = {
    "use_context_level_filter", "use_token_level_filter", "target_context", "context_level_rate",
    "context_level_target_token", "force_context_ids", "return_word_label", "word_sep", "label_sep",
    "token_to_word", "force_tokens", "force_reserve_digit", "drop_consecutive", "chunk_end_tokens",
}
_LLMLINGUA_FAMILY = ("llmlingua", "longllmlingua")
# Arguments Terse accepts only at their no-op value, with why.
_REFUSED = {
    "force_context_number": (None, "force_context_number is not supported; pass force_context_ids"),
    "use_token_level_filter@llmlingua2": (True, "use_token_level_filter=False (context filter only) is not "
                                                "supported by Terse's llmlingua2; use rate=1.0 with the "
                                                "context filter options instead"),
}
_MODEL_CONFIG_NOOP = {"revision", "trust_remote_code"}
_LLMLINGUA2_CONFIG_NOOP = {"max_batch_size", "max_force_token"}


def _escape_token(token):
    out = []
    for ch in token:
        out.append({"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", " ": "\\s"}.get(ch, ch))
    return "".join(out)


def _param_text(name, value):
    """A Python value as the engine's option text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in ("force_tokens", "chunk_end_tokens"):
        if isinstance(value, str):
            value = [value]
        try:
            tokens = [str(t) for t in value]
        except TypeError:
            raise InvalidArgumentError(f"option {name} expects a list of strings, got {type(value).__name__}") \
                from None
        return " ".join(_escape_token(t) for t in tokens if t != "")
    if name == "force_context_ids":
        if isinstance(value, int):
            value = [value]
        try:
            return ",".join(str(int(i)) for i in value)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"option {name} expects a list of context indices, got {value!r}") \
                from None
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    raise InvalidArgumentError(f"option {name} expects a number, bool or str, got {type(value).__name__}")


def _is_method(name):
    return any(m["name"] == name for m in _terse.methods())


class PromptCompressor:
    """Compresses prompts with one of Terse's methods; a drop-in for ``llmlingua.PromptCompressor``.

    Terse's own arguments: ``method`` (default "llmlingua2"; see terse.methods()), ``model`` (a model folder,
    safetensors or GGUF file; None = the method's bundled model), ``device`` ("cpu", "cuda", "cuda:N",
    "auto"), ``mode`` ("corrected", or "reference" to reproduce the reference implementation's quirks),
    ``target_tokenizer`` (tokenizer of the target LLM, for token accounting; default cl100k_base),
    ``find_question`` (corrected mode: a context given alone whose end asks "Question: ..." is read as context
    and question, the question kept whole and ranked against; False compresses it as one text; default True),
    ``word_vectors`` (corrected mode's BM25 ranking matches a question's words to near-synonyms with word
    vectors: None = the bundled terse-words, "none" = exact words only, or a file from `terse train vectors`),
    ``seed``, ``threads`` (engine threads for this process), and any method option as a keyword (the
    default of every compress_prompt() call).

    LLMLingua's arguments: ``model_name`` (a local path, or a HuggingFace hub id found in the local hub
    cache; a hub id that is not there falls back to Terse's bundled model with a TerseWarning, since Terse
    never downloads), ``use_llmlingua2`` (True: llmlingua2; False: llmlingua), ``device_map`` (as device),
    ``model_config`` (only "revision" and "trust_remote_code", which have no effect), ``llmlingua2_config``
    (only "max_batch_size" and "max_force_token", no effect), ``open_api_config`` (refused: Terse scores
    with local models only). LLMLingua's positional model name works too: PromptCompressor("microsoft/phi-2").

    One compressor serves one thread at a time (see the module's help)."""

    def __init__(self, method=None, model=None, device="cpu", mode="corrected", *, target_tokenizer="cl100k_base",
                 seed=42, threads=None, find_question=True, word_vectors=None, model_name=None, device_map=None, model_config=None,
                 open_api_config=None, use_llmlingua2=None, llmlingua2_config=None, **options):
        llmlingua_style = any(a is not None for a in (model_name, device_map, use_llmlingua2))
        if method is not None and not isinstance(method, str):
            raise InvalidArgumentError(f"method must be a str, got {type(method).__name__}")
        if method is not None and not _is_method(method) and ("/" in method or os.path.exists(method)):
            # LLMLingua's first positional argument is the model name.
            if model_name is not None:
                raise InvalidArgumentError(f"'{method}' is not a method, and model_name is given too")
            model_name, method, llmlingua_style = method, None, True
        if use_llmlingua2 is not None:
            family = "llmlingua2" if use_llmlingua2 else "llmlingua"
            if method is not None and method != family and not (family == "llmlingua" and method in _LLMLINGUA_FAMILY):
                raise InvalidArgumentError(f"method '{method}' contradicts use_llmlingua2={use_llmlingua2}")
            method = method or family
        if method is None:
            method = "llmlingua" if llmlingua_style else "llmlingua2"
        self._method = method
        self._compressor = _terse.Compressor(method)  # NotFoundError lists the methods

        if model is not None and model_name is not None:
            raise InvalidArgumentError("give model (Terse) or model_name (LLMLingua), not both")
        self._model = ""
        if model is not None:
            self._model = _model_path(model, "lm")
        elif model_name is not None:
            self._model = self._resolve_model_name(os.fspath(model_name))
        if device_map is not None:
            if not isinstance(device_map, str):
                raise UnsupportedError("device_map must be a device name (cpu, cuda, cuda:N, auto); Terse runs "
                                       "one model on one device")
            device = device_map if device_map in ("cpu", "auto") or device_map.startswith("cuda") else "auto"
        for name, value, allowed in (("model_config", model_config, _MODEL_CONFIG_NOOP),
                                     ("llmlingua2_config", llmlingua2_config, _LLMLINGUA2_CONFIG_NOOP)):
            extra = sorted(set(value or {}) - allowed)
            if extra:
                raise UnsupportedError(f"{name} keys {extra} are not supported (accepted without effect: "
                                       f"{sorted(allowed)})")
        if open_api_config:
            raise UnsupportedError("open_api_config is not supported: Terse scores with local models only")
        if threads is not None:
            set_threads(threads)
        else:
            _default_threads()
        self._device = device
        self._mode = mode
        self._seed = seed
        self._target_tokenizer = target_tokenizer
        if not isinstance(find_question, bool):
            raise InvalidArgumentError(f"find_question must be True or False, got {find_question!r}")
        self._find_question = find_question
        if word_vectors is not None and not isinstance(word_vectors, (str, os.PathLike)):
            raise InvalidArgumentError(f"word_vectors must be None, 'none' or a path, got {word_vectors!r}")
        self._word_vectors = "" if word_vectors is None else os.fspath(word_vectors)
        self._defaults = self._method_params(method, options)
        # Validates everything once, so that a bad argument fails here and not at the first call.
        self._options(method, 0.5, -1, self._defaults)

    @property
    def method(self):
        """The Terse method this compressor runs."""
        return self._method

    @property
    def model(self):
        """The model file or folder in use ("" = the method's bundled model)."""
        return self._model

    @staticmethod
    def _resolve_model_name(name):
        if os.path.exists(name):
            return name
        cache = _terse.hub_models("")
        for cached in cache:
            # A GGUF repository lists one entry per file: "org/name/FILE.gguf" names one of them.
            if cached["gguf"] and name == cached["repo_id"] + "/" + os.path.basename(cached["path"]):
                return cached["path"]
        for cached in cache:
            if cached["repo_id"] == name:
                if cached["pickle_only"] and not cached["has_safetensors"]:
                    raise UnsupportedError(f"model '{name}' in the HuggingFace cache ({cached['path']}) has only "
                                           "pickle weights, which Terse never loads; convert it to safetensors")
                files = [c["path"] for c in cache if c["gguf"] and c["repo_id"] == name]
                if len(files) > 1:
                    warnings.warn(f"'{name}' holds {len(files)} GGUF files; using {os.path.basename(files[0])} "
                                  f"(name one as '{name}/FILE.gguf')", TerseWarning, stacklevel=3)
                return cached["path"]
        warnings.warn(f"model '{name}' is not in the local HuggingFace cache and Terse does not download; "
                      "using Terse's bundled model for this method", TerseWarning, stacklevel=3)
        return ""

    def _method_params(self, method, kwargs):
        """Method options as engine text, with LLMLingua's inapplicable arguments dropped (with a warning)."""
        specs = {m["name"]: m for m in _terse.methods()}[method]["options"]
        known = {o["name"] for o in specs}
        params = {}
        for name, value in kwargs.items():
            refused = _REFUSED.get(f"{name}@{method}") or _REFUSED.get(name)
            if refused is not None:
                noop, why = refused
                if value != noop:
                    raise UnsupportedError(why)
                continue
            if value is None:
                continue  # LLMLingua's None = the default
            if name not in known and name in _LLMLINGUA1_ARGS | _LLMLINGUA2_ARGS:
                warnings.warn(f"{name} does not apply to {method} and is ignored (as LLMLingua ignores it)",
                              TerseWarning, stacklevel=4)
                continue
            # An option neither this method nor LLMLingua knows: the engine refuses it, naming the valid ones.
            params[name] = _param_text(name, value)
        return params

    def _options(self, method, rate, target_token, params):
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise InvalidArgumentError(f"rate must be a number in (0, 1], got {rate!r}")
        if isinstance(target_token, bool) or not isinstance(target_token, int):
            raise InvalidArgumentError(f"target_token must be an int (-1 = use rate), got {target_token!r}")
        return _terse.options(method, float(rate), int(target_token), self._mode, int(self._seed), self._model,
                              self._device, str(self._target_tokenizer), params, [],
                              find_question=self._find_question, word_vectors=self._word_vectors)

    def compress_prompt(self, context, instruction="", question="", rate=0.5, target_token=-1, *,
                        return_word_label=False, word_sep="\t\t|\t\t", label_sep=" ", progress=None,
                        **method_options):
        """Compresses ``context`` (a str or a list of context str) with ``instruction`` and ``question``
        kept verbatim where the method keeps them. ``rate`` is the kept fraction; ``target_token`` >= 0 is
        a token budget that overrides it. Method options (LLMLingua's keywords, or any option of
        terse.methods()) override the compressor's defaults for this call. ``progress(done, total, stage)``
        is called as the engine works; raising from it cancels the call.

        Returns LLMLingua's keys: compressed_prompt, origin_tokens, compressed_tokens, ratio ("11.2x"),
        rate ("8.9%"), saving; compressed_prompt_list (the kept contexts' compressed texts, as LLMLingua-2
        returns; absent for methods that do not render contexts apart, such as llmlingua's token stream); and
        fn_labeled_original_prompt with return_word_label; and Terse's: achieved_rate (kept fraction in target-LLM tokens), requested_rate,
        units (text, segment, kept, forced, stage, begin/end as str indices of their segment), scores
        (series name -> one value per unit), thresholds, stages, warnings, segments, method, mode, model,
        unit, tokens_in/out (in the method's unit), target_tokens_in/out, forward_ms, total_ms."""
        contexts = [context] if isinstance(context, str) else context
        if not isinstance(contexts, (list, tuple)) or not all(isinstance(c, str) for c in contexts):
            raise InvalidArgumentError("context must be a str or a list of str")
        for i, c in enumerate(contexts):
            _check_text("context" if isinstance(context, str) else f"context[{i}]", c)
        _check_text("instruction", instruction)
        _check_text("question", question)
        params = dict(self._defaults)
        params.update(self._method_params(self._method, method_options))
        options = self._options(self._method, rate, target_token, params)
        result = json.loads(self._compressor.compress(instruction, list(contexts), question, options, progress))
        return self._llmlingua_result(result, instruction, list(contexts), question, return_word_label,
                                      word_sep, label_sep)

    def _count(self, text):
        return count_tokens(text, self._target_tokenizer) if text else 0

    def _llmlingua_result(self, r, instruction, contexts, question, word_label, word_sep, label_sep):
        segments = r["segments"]
        units = r["units"]
        # Byte offsets of the engine -> str indices, per segment.
        for seg_index, seg in enumerate(segments):
            index, at = [0], 0
            for ch in seg["text"]:
                at += 1
                index.extend([at] * len(ch.encode("utf-8")))
            seg["_index"] = index
        for u in units:
            index = segments[u["segment"]]["_index"]
            u["begin"], u["end"] = index[u["begin"]], index[u["end"]]
        for seg in segments:
            del seg["_index"]
        compressed = r["compressed_text"]
        if self._method == "llmlingua2":
            # LLMLingua-2: the sum of the contexts' token counts ("\n\n" separators not counted).
            origin = sum(self._count(s["text"]) for s in segments)
        else:
            # LLMLingua: the tokens of "\n\n".join([instruction] + context + [question]).strip().
            origin = self._count("\n\n".join([instruction] + contexts + [question]).strip())
        comp = self._count(compressed)
        ratio = origin / comp if comp else float("inf")
        out = {
            "compressed_prompt": compressed,
            "origin_tokens": origin,
            "compressed_tokens": comp,
            "ratio": f"{ratio:.1f}x",
            "rate": f"{100 * comp / origin:.1f}%" if origin else "0.0%",
            "saving": f", Saving ${(origin - comp) * 0.06 / 1000:.1f} in GPT-4.",
        }
        if "segment_texts" in r:
            # LLMLingua-2's compressed_prompt_list: the compressed contexts that were kept, in order.
            out["compressed_prompt_list"] = [t for t, seg in zip(r["segment_texts"], segments)
                                             if seg["role"] == "context" and t]
        if word_label:
            # LLMLingua-2's word labels: word{label_sep}{1|0} joined by word_sep, over the contexts' units.
            out["fn_labeled_original_prompt"] = word_sep.join(
                f"{u['text'].strip()}{label_sep}{1 if u['kept'] else 0}" for u in units
                if segments[u["segment"]]["role"] == "context" and u["text"].strip())
        for key in ("achieved_rate", "requested_rate", "unit_rate", "units", "scores", "thresholds", "stages",
                    "warnings", "segments", "method", "mode", "model", "unit", "tokens_in", "tokens_out",
                    "target_tokens_in", "target_tokens_out", "forward_ms", "total_ms"):
            if key in r:
                out[key] = r[key]
        return out

    def __repr__(self):
        return (f"PromptCompressor(method={self._method!r}, model={self._model or None!r}, "
                f"device={self._device!r}, mode={self._mode!r})")
