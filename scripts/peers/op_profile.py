"""Framework operator timing inside a Python worker, for mlff-bench's torch-ops collector.

A model evaluated in a Python worker (TorchMD-Net's ET and TensorNet) runs its PyTorch operators
out of reach of the C++ RecordFunction callbacks, so the worker times them itself with PyTorch's
profiler between a begin and an end request and hands back, per operator, the calls, self and
total time and — for the GEMM family (aten::mm, addmm, bmm, baddbmm: what linear layers, matmul
and einsum become) — 2·m·n·k FLOPs and the bytes of operands and result once each, counted from
the operands' shapes exactly as profilers/torch/TorchOpsCollector.cpp counts them in-process.
"""
import torch

GEMM = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm")


def gemm_work(name, shapes, element_bytes):
    """(flops, bytes) of one call of a GEMM-family operator from its operands' shapes (the two
    factors are the last two tensors: addmm and baddbmm take the added term first); (0, 0) for any
    other operator or shapes that are not matrices."""
    if name not in GEMM:
        return 0.0, 0.0
    tensors = [s for s in shapes if s]
    if len(tensors) < 2:
        return 0.0, 0.0
    a, b = tensors[-2], tensors[-1]
    rank = 3 if name in ("aten::bmm", "aten::baddbmm") else 2
    if len(a) != rank or len(b) != rank:
        return 0.0, 0.0
    batch = a[0] if rank == 3 else 1
    m, k, n = a[-2], a[-1], b[-1]
    return 2.0 * batch * m * n * k, float(element_bytes) * batch * (m * k + k * n + m * n)


class OperatorTimer:
    """Times every PyTorch operator run on this thread between begin() and end()."""

    def __init__(self):
        self.profile = None

    def begin(self):
        if self.profile is not None:
            self.profile.__exit__(None, None, None)
        self.profile = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True)
        self.profile.__enter__()

    def end(self, element_bytes):
        """{operator: {calls, self_ms, total_ms[, flops, bytes]}} summed over every call since
        begin(); element_bytes: the model's float size (its GEMMs run in the model's dtype)."""
        if self.profile is None:
            return {}
        self.profile.__exit__(None, None, None)
        events, self.profile = self.profile.events(), None
        ops = {}
        for e in events:
            o = ops.setdefault(e.name, {"calls": 0, "self_ms": 0.0, "total_ms": 0.0, "flops": 0.0, "bytes": 0.0})
            o["calls"] += 1
            o["self_ms"] += e.self_cpu_time_total / 1000.0
            o["total_ms"] += e.cpu_time_total / 1000.0
            flops, nbytes = gemm_work(e.name, e.input_shapes or [], element_bytes)
            o["flops"] += flops
            o["bytes"] += nbytes
        for o in ops.values():
            if o["flops"] == 0:
                del o["flops"], o["bytes"]
        return ops
