"""The Python module `terse` (issue 18): LLMLingua's README calls run after changing only the import and give
what `terse compress` gives with the same settings; errors arrive as terse.Error subclasses; the GIL is
released while the engine works."""
import json
import math
import os
import threading
import time
import warnings

import pytest

import terse
from conftest import SOURCE_DIR, jsonl_records, sample, shared_file

CL100K = str(SOURCE_DIR / "resources" / "tokenizers" / "cl100k_base.tiktoken")

CONTEXTS = [p for p in sample("rag_three_passages.txt").split("\n\n")[1:-1]]
QUESTION = sample("rag_three_passages.txt").strip().split("\n\n")[-1]


def gsm8k_prompt():
    """LLMLingua's README compresses the GSM8K 8-shot chain-of-thought prompt; the repo's sample when absent."""
    try:
        return shared_file("data", "gsm8k_cot_prompts", "prompt_original.txt").read_text(encoding="utf-8")
    except pytest.skip.Exception:
        return sample("few_shot_arithmetic.txt")


def cli_compress(cli, prompt_file_text, args):
    return cli(["compress", "--quiet"] + args + ["-"], input=prompt_file_text).stdout[:-1]  # drop the "\n"


def cli_structured(cli, contexts, question, args, instruction=""):
    line = json.dumps({"instruction": instruction, "contexts": contexts, "question": question})
    out = cli(["compress", "--jsonl", "--quiet"] + args + ["-"], input=line + "\n").stdout
    return jsonl_records(out)[0]["compressed_text"]


# --- the drop-in examples of LLMLingua's README ------------------------------------------------------------

def test_llmlingua_readme_default_compressor_matches_cli(cli):
    # llm_lingua = PromptCompressor(); llm_lingua.compress_prompt(prompt, instruction="", question="", target_token=200)
    prompt = gsm8k_prompt()
    llm_lingua = terse.PromptCompressor()
    result = llm_lingua.compress_prompt(prompt, instruction="", question="", target_token=200)
    assert llm_lingua.method == "llmlingua2"
    assert result["compressed_prompt"] == cli_compress(cli, prompt, ["--method", "llmlingua2", "--target-tokens", "200"])
    for key in ("compressed_prompt", "origin_tokens", "compressed_tokens", "ratio", "rate", "saving"):
        assert key in result
    assert result["compressed_tokens"] < result["origin_tokens"]


def test_llmlingua_readme_model_name_matches_cli(cli):
    # llm_lingua = PromptCompressor("microsoft/phi-2"): a hub id not on this machine falls back to the bundled
    # LM with a warning; the method is LLMLingua's (use_llmlingua2=False).
    prompt = sample("few_shot_arithmetic.txt")
    with pytest.warns(terse.TerseWarning, match="microsoft/phi-2"):
        llm_lingua = terse.PromptCompressor("microsoft/phi-2")
    assert llm_lingua.method == "llmlingua" and llm_lingua.model == ""
    result = llm_lingua.compress_prompt(prompt, instruction="", question="", target_token=100)
    assert result["compressed_prompt"] == cli_compress(cli, prompt, ["--method", "llmlingua", "--target-tokens", "100"])


def test_longllmlingua_readme_call_matches_cli(cli):
    llm_lingua = terse.PromptCompressor(use_llmlingua2=False)
    result = llm_lingua.compress_prompt(
        CONTEXTS, question=QUESTION, rate=0.55,
        condition_in_question="after_condition", reorder_context="sort", dynamic_context_compression_ratio=0.3,
        condition_compare=True, context_budget="+100", rank_method="longllmlingua")
    expected = cli_structured(cli, CONTEXTS, QUESTION, [
        "--method", "llmlingua", "--rate", "0.55", "--param", "condition_in_question=after_condition",
        "--param", "reorder_context=sort", "--param", "dynamic_context_compression_ratio=0.3",
        "--param", "condition_compare=true", "--param", "context_budget=+100",
        "--param", "rank_method=longllmlingua"])
    assert result["compressed_prompt"] == expected
    assert QUESTION in result["compressed_prompt"]  # concate_question: the question is kept verbatim


def test_llmlingua2_readme_force_tokens_matches_cli(cli):
    # PromptCompressor(model_name="microsoft/llmlingua-2-xlm-roberta-large-meetingbank", use_llmlingua2=True)
    # .compress_prompt(prompt, rate=0.33, force_tokens=['\n', '?'])
    prompt = sample("meeting_notes.txt")
    with pytest.warns(terse.TerseWarning):
        llm_lingua = terse.PromptCompressor(model_name="microsoft/llmlingua-2-xlm-roberta-large-meetingbank",
                                            use_llmlingua2=True)
    result = llm_lingua.compress_prompt(prompt, rate=0.33, force_tokens=["\n", "?"])
    expected = cli_compress(cli, prompt, ["--method", "llmlingua2", "--rate", "0.33", "--param", "force_tokens=\\n ?"])
    assert result["compressed_prompt"] == expected
    # Force tokens are kept: every "?" and line break of the prompt survives.
    assert result["compressed_prompt"].count("?") == prompt.count("?")
    assert result["compressed_prompt"].count("\n") == prompt.rstrip("\n").count("\n")


def test_llmlingua2_list_of_contexts_and_word_labels():
    llm_lingua = terse.PromptCompressor(use_llmlingua2=True)
    result = llm_lingua.compress_prompt(CONTEXTS, rate=0.5, use_context_level_filter=False, return_word_label=True,
                                        word_sep="\t\t|\t\t", label_sep=" ")
    assert len(result["compressed_prompt_list"]) == len(CONTEXTS)
    assert result["compressed_prompt"] == "\n\n".join(result["compressed_prompt_list"])
    labels = result["fn_labeled_original_prompt"].split("\t\t|\t\t")
    # Every word of the contexts once, in order (punctuation is a word of its own, as LLMLingua-2's XLM-R
    # word merging makes it), labelled 1 or 0.
    words = [item.rsplit(" ", 1)[0] for item in labels]
    assert "".join(words) == "".join("".join(c.split()) for c in CONTEXTS)
    assert all(item.endswith((" 0", " 1")) for item in labels)
    kept = [item.rsplit(" ", 1)[0] for item in labels if item.endswith(" 1")]
    assert "".join(kept) == "".join(result["compressed_prompt"].split())
    assert 0 < len(kept) < len(words)


# --- result keys computed as LLMLingua does --------------------------------------------------------------

def test_llmlingua_keys_are_computed_as_llmlingua_does(cli):
    compressor = terse.PromptCompressor("llmlingua")
    instruction = "Answer the question."
    result = compressor.compress_prompt(CONTEXTS, instruction=instruction, question=QUESTION, rate=0.5)
    # origin_tokens: cl100k tokens of "\n\n".join([instruction] + context + [question]).strip(), counted by
    # the CLI's tokenizer command (an independent path through the engine).
    joined = "\n\n".join([instruction] + CONTEXTS + [QUESTION]).strip()
    count = int(cli(["tokenize", "--tokenizer", CL100K, "--count"], input=joined).stdout)
    assert result["origin_tokens"] == count
    comp = int(cli(["tokenize", "--tokenizer", CL100K, "--count"], input=result["compressed_prompt"]).stdout)
    assert result["compressed_tokens"] == comp
    assert result["ratio"] == f"{count / comp:.1f}x"
    assert result["rate"] == f"{100 * comp / count:.1f}%"
    assert result["saving"] == f", Saving ${(count - comp) * 0.06 / 1000:.1f} in GPT-4."
    # Terse's own keys: units tile each segment, with str offsets.
    for seg_index, seg in enumerate(result["segments"]):
        units = [u for u in result["units"] if u["segment"] == seg_index]
        assert "".join(u["text"] for u in units) == seg["text"]
        assert all(seg["text"][u["begin"]:u["end"]] == u["text"] for u in units)
    assert 0 < result["achieved_rate"] <= 1
    assert result["method"] == "llmlingua" and result["unit"]
    assert all(len(v) == len(result["units"]) for v in result["scores"].values())


def test_count_tokens_matches_independent_tiktoken_ids():
    # ../shared/tokvec holds cl100k ids from tiktoken itself; "Hello world" is [9906, 1917].
    assert terse.tokenize("Hello world")["ids"] == [9906, 1917]
    path = shared_file("tokvec", "cl100k_base.jsonl")
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:60]]
    for case in cases:
        assert terse.tokenize(case["text"])["ids"] == case["ids"], case["id"]
        assert terse.count_tokens(case["text"]) == len(case["ids"])


def test_tokenize_offsets_are_str_indices():
    text = "naïve café — 東京"
    enc = terse.tokenize(text)
    assert "".join(text[b:e] for b, e in enc["offsets"]) == text
    assert [text[b:e] for b, e in enc["offsets"]] == enc["pieces"]
    assert terse.decode(enc["ids"]) == text


def test_score_matches_huggingface_oracle():
    # ../shared/oracle/gpt2: HF transformers' next-token log-probs and entropies for a tiny GPT-2.
    folder = shared_file("oracle", "gpt2")
    expected = json.loads((folder / "expected.json").read_text())
    for case in expected["cases"]:
        ids = case["input_ids"][0]
        got = terse.score(ids, model=str(folder))
        assert got["ids"] == ids
        for want, have in zip(case["next_token_logprob"][0], got["next_token_logprob"]):
            assert abs(want - have) <= 1e-4 * max(1.0, abs(want))
        for want, have in zip(case["entropy"][0], got["entropy"]):
            assert abs(want - have) <= 1e-4 * max(1.0, abs(want))
        assert math.isnan(got["surprisal"][0])
        assert got["surprisal"][1:] == pytest.approx([-x for x in got["next_token_logprob"]], rel=1e-6)


def test_score_text_with_bundled_model():
    got = terse.score("The cat sat on the mat.", top_k=3, attention=True)
    assert got["model"]["kind"] == "causal_lm"
    assert len(got["ids"]) == len(got["surprisal"]) == len(got["entropy"]) == len(got["pieces"])
    assert "".join(got["pieces"]) == "The cat sat on the mat."
    assert len(got["top_k"]) == len(got["ids"]) and all(len(row) == 3 for row in got["top_k"])
    # Top-k log-probs are sorted and are probabilities.
    assert all(row[0][1] >= row[1][1] >= row[2][1] and row[0][1] <= 0 for row in got["top_k"])
    assert len(got["attention"]) == got["model"]["layers"]


def test_methods_list_option_specs():
    methods = {m["name"]: m for m in terse.methods()}
    assert {"llmlingua", "longllmlingua", "llmlingua2", "selective_context", "dac", "pis"} <= set(methods)
    alpha = {o["name"]: o for o in methods["dac"]["options"]}["alpha"]
    assert alpha["type"] == "float" and alpha["min"] == 0 and alpha["max"] == 1
    rank = {o["name"]: o for o in methods["llmlingua"]["options"]}["rank_method"]
    assert "bm25" in rank["choices"] and "longllmlingua" in rank["choices"]


# --- errors ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("prompt", ["", "   \n\t "])
def test_empty_prompt_is_invalid_input(prompt):
    with pytest.raises(terse.InvalidInputError) as e:
        terse.PromptCompressor("random").compress_prompt(prompt, rate=0.5)
    assert e.value.code == "invalid_input" and "holds no text" in str(e.value)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("rate", [0, -0.1, 1.5, float("nan"), "half", True])
def test_bad_rate(rate):
    with pytest.raises(terse.InvalidArgumentError, match="rate"):
        terse.PromptCompressor("random").compress_prompt("Some words here.", rate=rate)


def test_missing_model_names_the_path(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(terse.NotFoundError, match="no-such-model") as e:
        terse.PromptCompressor("llmlingua2", model=str(missing))
    assert e.value.code == "not_found" and e.value.exit_code == 4
    with pytest.raises(terse.NotFoundError):
        terse.score("text", model=str(missing))


def test_corrupt_model_is_a_clear_error(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "llama", "hidden_size": 8}')
    (tmp_path / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{bad json")
    with pytest.raises(terse.Error) as e:
        terse.PromptCompressor("selective_context", model=str(tmp_path)).compress_prompt("A few words to score.")
    assert e.value.code in ("format_error", "unsupported", "invalid_input")
    assert str(tmp_path) in str(e.value) or "model.safetensors" in str(e.value) or "config.json" in str(e.value)


def test_unknown_option_lists_the_valid_ones():
    with pytest.raises(terse.InvalidArgumentError, match="unknown option key 'alpah' for dac.*alpha"):
        terse.PromptCompressor("dac").compress_prompt("Some words here.", alpah=0.5)
    with pytest.raises(terse.InvalidArgumentError, match="alpha of dac must be in \\[0, 1\\], got 3"):
        terse.PromptCompressor("dac", alpha=3)


def test_unknown_method_and_refused_llmlingua_arguments():
    with pytest.raises(terse.NotFoundError, match="llmlingua2"):  # the message lists the known methods
        terse.PromptCompressor("llmlingua3")
    with pytest.raises(terse.UnsupportedError, match="open_api_config"):
        terse.PromptCompressor(open_api_config={"api_key": "x"})
    with pytest.raises(terse.UnsupportedError, match="model_config"):
        terse.PromptCompressor(use_llmlingua2=False, model_config={"load_in_8bit": True})
    terse.PromptCompressor(use_llmlingua2=False, model_config={"revision": "main"})  # accepted, no effect
    with pytest.raises(terse.UnsupportedError, match="force_context_number"):
        terse.PromptCompressor("llmlingua").compress_prompt("Some words here.", force_context_number=2)


def test_inapplicable_llmlingua_argument_is_ignored_with_a_warning():
    compressor = terse.PromptCompressor(use_llmlingua2=True)
    with pytest.warns(terse.TerseWarning, match="iterative_size does not apply to llmlingua2"):
        result = compressor.compress_prompt("Some words to keep or drop here.", rate=0.5, iterative_size=200)
    assert result["compressed_prompt"]


def test_lone_surrogate_is_refused_clearly():
    with pytest.raises(terse.InvalidInputError, match="context is not valid Unicode text.*index 4"):
        terse.PromptCompressor("random").compress_prompt("bad \ud800 text", rate=0.5)
    with pytest.raises(terse.InvalidInputError, match="question"):
        terse.PromptCompressor("random").compress_prompt(["fine"], question="\udcff?", rate=0.5)


def test_progress_callback_that_raises_cancels_the_call():
    def progress(done, total, stage):
        raise RuntimeError("stop here")
    with pytest.raises(RuntimeError, match="stop here"):
        terse.PromptCompressor("selective_context").compress_prompt(sample("meeting_notes.txt"), progress=progress)


# --- threads ---------------------------------------------------------------------------------------------------

def test_two_compressors_in_two_threads_both_progress():
    """With the GIL held by one engine call the other thread could not even start its call; released, their
    progress reports interleave."""
    prompt = sample("meeting_notes.txt") + "\n\n" + sample("support_ticket.txt")
    events = {0: [], 1: []}
    errors = []
    barrier = threading.Barrier(2)

    def work(k):
        try:
            compressor = terse.PromptCompressor("dac")
            barrier.wait()
            compressor.compress_prompt(prompt, rate=0.5, progress=lambda d, t, s: events[k].append(time.monotonic()))
            events[k].append(time.monotonic())
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    # The main thread keeps running Python code meanwhile.
    ticks = 0
    while any(t.is_alive() for t in threads):
        ticks += 1
        time.sleep(0.001)
    assert not errors, errors
    assert len(events[0]) >= 3 and len(events[1]) >= 3
    # Each call reports progress before the other one has finished: they ran at the same time.
    assert events[0][0] < events[1][-1] and events[1][0] < events[0][-1]
    assert ticks > 10


def test_one_compressor_refuses_a_second_thread():
    compressor = terse.PromptCompressor("dac")
    prompt = sample("meeting_notes.txt")
    started, tried = threading.Event(), threading.Event()
    outcome = {}

    def hold(done, total, stage):
        # The first report holds the engine call until the main thread has tried its own.
        if not started.is_set():
            started.set()
            tried.wait(60)

    def first():
        outcome["first"] = compressor.compress_prompt(prompt, rate=0.5, progress=hold)

    t = threading.Thread(target=first)
    t.start()
    assert started.wait(60)
    try:
        with pytest.raises(ValueError, match="one thread at a time"):
            compressor.compress_prompt(prompt, rate=0.5)
    finally:
        tried.set()
    t.join()
    assert outcome["first"]["compressed_prompt"]


def test_ctrl_c_cancels_a_running_compression(tmp_path):
    """SIGINT while the engine works (GIL released) cancels the call and raises KeyboardInterrupt; run in a
    child process so that the interrupt cannot reach pytest itself."""
    import subprocess
    import sys
    script = tmp_path / "interrupt.py"
    script.write_text(
        "import os, signal, threading, time, terse\n"
        "text = ' '.join(open(p).read() for p in %r) * 4\n"
        "c = terse.PromptCompressor('dac')\n"
        "c.compress_prompt('warm up the model with a few words.', rate=0.5)\n"
        "threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
        "t = time.monotonic()\n"
        "try:\n"
        "    c.compress_prompt(text, rate=0.5)\n"
        "    print('finished', time.monotonic() - t)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', time.monotonic() - t)\n"
        % [str(p) for p in sorted((SOURCE_DIR / "resources" / "samples").glob("*.txt"))])
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    word, seconds = proc.stdout.split()
    assert word == "interrupted", proc.stdout
    assert float(seconds) < 30


def test_a_plain_context_ending_in_a_question_keeps_it():
    # Corrected mode reads a context given alone as context + question when its end asks one; the
    # question survives head truncation. find_question=False compresses it as one text.
    text = ("The ferry leaves the north pier at 07:40 on weekdays and at 09:15 on Saturdays. There is no "
            "Sunday service in winter. Cars must be booked a day ahead at the harbour office.\n\n"
            "Question: When does the ferry leave on Saturdays?")
    found = terse.PromptCompressor("head").compress_prompt(text, rate=0.5)
    assert found["compressed_prompt"].endswith("\n\nQuestion: When does the ferry leave on Saturdays?")
    whole = terse.PromptCompressor("head", find_question=False).compress_prompt(text, rate=0.5)
    assert "Question" not in whole["compressed_prompt"]
    with pytest.raises(terse.InvalidArgumentError):
        terse.PromptCompressor("head", find_question="yes")


def test_word_vectors_match_near_synonyms(tmp_path):
    # Corrected-mode BM25 matches "movie" to "film" through the bundled terse-words vectors: the film
    # passage becomes a question sentence and is kept whole. "none" ranks exact words only.
    contexts = ["The novel was published in 1997 by Bloomsbury in London.",
                "The author was born in 1965 and studied French at Exeter.",
                "The publisher printed a first run of only 500 copies.",
                "Filming of the adaptation began in 2000; the film premiered in November 2001."]
    question = "When did the movie come out?"
    bundled = terse.PromptCompressor("llmlingua2").compress_prompt(contexts, question=question, rate=0.9)
    assert "the film premiered in November 2001." in bundled["compressed_prompt"]
    exact = terse.PromptCompressor("llmlingua2", word_vectors="none").compress_prompt(
        contexts, question=question, rate=0.9)
    assert exact["compressed_prompt"] != bundled["compressed_prompt"]
    with pytest.raises(terse.NotFoundError, match="no-such-vectors"):
        terse.PromptCompressor("llmlingua2", word_vectors=str(tmp_path / "no-such-vectors"))
    with pytest.raises(terse.InvalidArgumentError):
        terse.PromptCompressor("llmlingua2", word_vectors=3)


def test_export_gguf_round_trip(tmp_path):
    # The bundled LM as one Q8_0 GGUF with its tokenizer inside: the file tokenizes as the model's own
    # tokenizer.json does and scores within Q8_0's rounding of the original.
    lm = SOURCE_DIR / "resources" / "models" / "terse-lm"
    out = tmp_path / "lm.gguf"
    r = terse.export_gguf(lm, out)
    assert r["out"] == str(out) and out.stat().st_size == r["bytes"]
    assert r["architecture"] == "llama" and r["tokenizer_model"] == "gpt2" and r["tokenizer_pre"] == "gpt-2"
    assert r["tensors_by_type"]["Q8_0"] == 43 and r["tensors_by_type"]["F32"] == 13
    text = "Terse keeps the words that carry the meaning."
    assert terse.tokenize(text, str(out))["ids"] == terse.tokenize(text, str(lm))["ids"]
    ids = terse.tokenize(text, str(lm))["ids"]
    a = terse.score(ids, model=str(lm))["surprisal"][1:]
    b = terse.score(ids, model=str(out))["surprisal"][1:]
    assert max(abs(x - y) for x, y in zip(a, b)) < 0.3
    with pytest.raises(terse.UnsupportedError, match="token classifier"):
        terse.export_gguf(SOURCE_DIR / "resources" / "models" / "terse-tagger", tmp_path / "t.gguf")
    with pytest.raises(terse.InvalidArgumentError):
        terse.export_gguf(lm, tmp_path / "x.gguf", tokenizer="t.json", with_tokenizer=False)


def test_gguf_repository_in_the_hub_cache(tmp_path, monkeypatch):
    # A GGUF repository in the HuggingFace cache (no config.json, one file per quantisation) lists each file;
    # "org/name/FILE.gguf" picks one, "org/name" the first with a warning naming the others' count.
    stories = shared_file("models", "stories260K", "stories260K.bin")
    snap = tmp_path / "hub" / "models--karpathy--stories-GGUF" / "snapshots" / "0123"
    snap.mkdir(parents=True)
    terse.export_gguf(stories, snap / "stories.f32.gguf", type="f32")
    terse.export_gguf(stories, snap / "stories.q8_0.gguf")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    listed = [m for m in terse.hub_models() if m["repo_id"] == "karpathy/stories-GGUF"]
    assert [os.path.basename(m["path"]) for m in listed] == ["stories.f32.gguf", "stories.q8_0.gguf"]
    assert all(m["gguf"] and m["model_type"] == "llama" for m in listed)
    c = terse.PromptCompressor("karpathy/stories-GGUF/stories.q8_0.gguf")
    assert c.model == str(snap / "stories.q8_0.gguf")
    text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."
    out = c.compress_prompt(text, rate=0.5)["compressed_prompt"]
    assert 0 < len(out.split()) < len(text.split())
    with pytest.warns(terse.TerseWarning, match="2 GGUF files"):
        c = terse.PromptCompressor("karpathy/stories-GGUF")
    assert c.model == str(snap / "stories.f32.gguf")
