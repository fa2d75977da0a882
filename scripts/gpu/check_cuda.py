#!/usr/bin/env python3
"""Issue 16's GPU check, run by scripts/gpu/check_cuda.sh on the GPU machine (and on this machine with
--device cpu, to try it): the oracle decoders scored on the device against HuggingFace's logits, and
the time of a 124M-parameter GPT-2 (random weights) on 4k tokens, fp32 and bf16, device against CPU.

usage: check_cuda.py TERSE ORACLE_DIR WORK_DIR [--device cuda] [--threads N] [--dim 768 --layers 12]
Prints a table and writes WORK_DIR/check_cuda.json. Standard library only (no numpy on the image)."""
import argparse
import ctypes
import json
import os
import random
import struct
import subprocess
import sys
import time

DECODERS = ["gpt2", "gpt_neox", "llama3_tied", "llama_gqa", "mistral", "qwen2"]


def score(terse, model, ids, device, dtype, threads, extra=()):
    cmd = [terse, "score", "--model", model, "--ids", ",".join(map(str, ids)), "--json",
           "--device", device, "--dtype", dtype] + list(extra)
    if threads:
        cmd += ["--threads", str(threads)]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - t0
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd[:4]), p.returncode, p.stderr.strip()[-500:]))
    return json.loads(p.stdout), wall


def oracle(args, report):
    print("oracle decoders on %s: max |logit - HF| over each case (fp32)" % args.device)
    rows = []
    for name in DECODERS:
        d = os.path.join(args.oracle, name)
        if not os.path.isdir(d):
            print("  %-12s missing" % name)
            continue
        exp = json.load(open(os.path.join(d, "expected.json")))
        worst = 0.0
        cases = 0
        for case in exp["cases"]:
            ids = case["input_ids"]
            mask = case.get("attention_mask") or [[1] * len(r) for r in ids]
            for b, row in enumerate(ids):
                if not all(mask[b]) or len(row) < 2:
                    continue  # padded rows: the CLI scores one unpadded sequence
                got, _ = score(args.terse, d, row, args.device, "fp32", args.threads, ["--logits"])
                want = case["logits"][b]
                g = got["logits"]  # flat [tokens x vocab]
                V = len(want[0])
                for t in range(len(row)):
                    for v in range(V):
                        worst = max(worst, abs(g[t * V + v] - want[t][v]))
                cases += 1
        rows.append({"model": name, "sequences": cases, "max_abs_logit_diff": worst})
        print("  %-12s %2d sequences  %.3g" % (name, cases, worst))
    report["oracle"] = rows


def write_gpt2(path, dim, layers, positions, vocab=50257):
    """A GPT-2 model folder with N(0, 0.02) weights, written as safetensors without numpy."""
    os.makedirs(path, exist_ok=True)
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": dim, "n_layer": layers,
           "n_head": dim // 64, "n_positions": positions, "n_ctx": positions, "vocab_size": vocab,
           "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "bos_token_id": 50256,
           "eos_token_id": 50256}
    json.dump(cfg, open(os.path.join(path, "config.json"), "w"))
    shapes = {"transformer.wte.weight": [vocab, dim], "transformer.wpe.weight": [positions, dim],
              "transformer.ln_f.weight": [dim], "transformer.ln_f.bias": [dim]}
    for l in range(layers):
        p = "transformer.h.%d." % l
        shapes.update({p + "ln_1.weight": [dim], p + "ln_1.bias": [dim], p + "ln_2.weight": [dim],
                       p + "ln_2.bias": [dim], p + "attn.c_attn.weight": [dim, 3 * dim],
                       p + "attn.c_attn.bias": [3 * dim], p + "attn.c_proj.weight": [dim, dim],
                       p + "attn.c_proj.bias": [dim], p + "mlp.c_fc.weight": [dim, 4 * dim],
                       p + "mlp.c_fc.bias": [4 * dim], p + "mlp.c_proj.weight": [4 * dim, dim],
                       p + "mlp.c_proj.bias": [dim]})
    header, offset = {}, 0
    for k, s in shapes.items():
        n = 1
        for x in s:
            n *= x
        header[k] = {"dtype": "F32", "shape": s, "data_offsets": [offset, offset + 4 * n]}
        offset += 4 * n
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    try:
        import torch  # the image has it: fast random numbers
        gen = lambda n, one: (torch.ones(n) if one else torch.randn(n) * 0.02)
        raw = lambda t: ctypes.string_at(t.data_ptr(), t.numel() * 4)
    except ImportError:
        gen = lambda n, one: [1.0 if one else random.gauss(0, 0.02) for _ in range(n)]
        raw = lambda t: struct.pack("%df" % len(t), *t)
    with open(os.path.join(path, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for k, s in shapes.items():
            n = header[k]["data_offsets"][1] // 4 - header[k]["data_offsets"][0] // 4
            f.write(raw(gen(n, k.endswith("ln_1.weight") or k.endswith("ln_2.weight") or k.endswith("ln_f.weight"))))


def timing(args, report):
    tokens = args.tokens
    path = os.path.join(args.work, "gpt2_%dx%d" % (args.dim, args.layers))
    t0 = time.time()
    write_gpt2(path, args.dim, args.layers, tokens)
    print("\nGPT-2 %dx%d (random weights, written in %.1f s), %d tokens: seconds of the forward (JSON"
          " 'seconds') and wall time of the command" % (args.dim, args.layers, time.time() - t0, tokens))
    rng = random.Random(1)
    ids = [rng.randrange(50000) for _ in range(tokens)]
    rows = []
    for device in ([args.device, "cpu"] if args.device != "cpu" else ["cpu"]):
        for dtype in ("fp32", "bf16"):
            try:
                best = None
                for _ in range(args.repeats):
                    got, wall = score(args.terse, path, ids, device, dtype, args.threads,
                                      ["--no-attention"])
                    if best is None or got["seconds"] < best[0]:
                        best = (got["seconds"], wall, got.get("surprisal"))
                rows.append({"device": device, "dtype": dtype, "forward_s": best[0], "wall_s": best[1],
                             "surprisal": best[2]})
                print("  %-6s %-5s forward %8.3f s   wall %8.3f s" % (device, dtype, best[0], best[1]))
            except RuntimeError as e:
                print("  %-6s %-5s failed: %s" % (device, dtype, e))
    # The device's surprisal against the CPU's, same dtype.
    by = {(r["device"], r["dtype"]): r for r in rows}
    for dtype in ("fp32", "bf16"):
        a, b = by.get((args.device, dtype)), by.get(("cpu", dtype))
        if a and b and a is not b:
            diffs = [abs(x - y) for x, y in zip(a["surprisal"], b["surprisal"]) if x is not None and y is not None]
            print("  %s surprisal, %s vs cpu: mean |diff| %.2e, largest %.2e nats" %
                  (dtype, args.device, sum(diffs) / max(1, len(diffs)), max(diffs or [0])))
    for r in rows:
        r.pop("surprisal", None)
    report["timing"] = rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("terse")
    ap.add_argument("oracle")
    ap.add_argument("work")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--dim", type=int, default=768)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--tokens", type=int, default=4096)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    report = {"device": args.device}
    oracle(args, report)
    timing(args, report)
    json.dump(report, open(os.path.join(args.work, "check_cuda.json"), "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
