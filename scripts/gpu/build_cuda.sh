# Sourced on the GPU machine by train_lm.sh and check_cuda.sh (which set T0, OUT and el): builds engine +
# CLI into /tmp/b against the image's CUDA libtorch, with the -dev packages of .gpu/deb unpacked beside it.
el start; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; nproc
D=/tmp/deps; mkdir -p $D; for f in .gpu/deb/*.deb; do dpkg -x "$f" $D; done
LIB=$D/usr/lib/x86_64-linux-gnu
for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do [ -d "$d" ] && export PATH=$PATH:$d; done
g++ --version | head -1; cmake --version | head -1
TORCH_DIR=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
export TORCH_CUDA_ARCH_LIST=9.0
# pkg-config is hidden so CMake finds the unpacked packages by path; -include cstdint guards against
# headers a newer libstdc++ no longer includes transitively.
cmake -S . -B /tmp/b -G Ninja -DCMAKE_BUILD_TYPE=Release -DTERSE_BUILD_GUI=OFF -DTERSE_BUILD_TESTS=OFF -DTERSE_BUILD_PYTHON=OFF \
    -DTERSE_WITH_CUDA=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON -DCMAKE_PREFIX_PATH="$TORCH_DIR;$D/usr" \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DCMAKE_CXX_FLAGS="-w -include cstdint -include cstddef" \
    > /tmp/cmake.log 2>&1 || { tail -c 6000 /tmp/cmake.log; exit 1; }
el configured
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}:$LIB   # appended: the image's own libraries come first
# terse-engine alone: every verb (run directly it behaves as `terse`), without the front's build step
# that runs it to record help pages.
ninja -C /tmp/b -j"$(nproc)" terse-engine > /tmp/ninja.log 2>&1 || { tail -c 6000 /tmp/ninja.log; exit 1; }
el built
