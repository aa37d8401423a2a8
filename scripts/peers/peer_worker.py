"""mlff-bench's Python worker: one peer model (a package's own implementation) kept alive in this
process and evaluated on request, for the peer flavours TorchScript cannot carry to C++
(workloads/python/PythonWorkerPotential.cpp starts it with the project's .venv interpreter).

Usage: peer_worker.py SPEC-JSON, SPEC = {"model": M, "dtype": "float32"|"float64", "device": "cpu"|"cuda", ...}:
  M = "et-torchmd-net"  + "export": path  TorchMD-Net's ET on the weights of an `mlff-bench export --model et`
  M = "tensornet"       + "preset", "seed", "max_num_neighbors"[, "overrides": {hyperparameter: value}]
                                          TorchMD-Net's TensorNet, a published preset, random weights
  M = "mlffb-export"    + "export": path  an `mlff-bench export` file itself (its nnpot forward), in Python

Protocol on stdin/stdout (one socket), native byte order. Every reply: uint8 ok (1) or error (0),
uint32 length, then that many bytes. Errors are one line naming the request.
  at start            reply payload: the model's description, JSON
  'S' int64 n, int64 numbers[n]                                     → empty payload (binds the atoms)
  'D' int64 n, int64 owned, int64 numbers[n]  → empty payload (binds a LAMMPS rank's subdomain: the
                      first `owned` atoms are its own, the rest ghosts; 'C' then, without a box, gives
                      the sum of the owned atoms' energies and its -gradient wrt every atom; 'S' ends it)
  'C' uint8 want_forces, uint8 periodic, float64 box[9] (Å, rows a b c), float64 positions[3n] (Å)
                      → float64 energy, float64 model_seconds, [float64 forces[3n]] (kJ/mol, kJ/mol/Å)
  'P'                 → empty payload (begins timing every PyTorch operator, scripts/peers/op_profile.py)
  'Q'                 → JSON {operator: {calls, self_ms, total_ms[, flops, bytes]}} since 'P' (ends it)
model_seconds is the wall time of the model call alone (device synchronised), so the caller can
tell the protocol's cost from the model's. End of input: exit.
"""
import json
import os
import struct
import sys
import time

import numpy as np

# The protocol owns the real stdout; anything else the packages print goes to stderr (the log).
PROTOCOL_IN = os.fdopen(os.dup(0), "rb", buffering=0)
PROTOCOL_OUT = os.fdopen(os.dup(1), "wb", buffering=0)
os.dup2(2, 1)
sys.stdout = sys.stderr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlffb_peers  # noqa: E402
import op_profile  # noqa: E402


def read_exact(n):
    """n bytes of input, or None at its end."""
    data = bytearray()
    while len(data) < n:
        chunk = PROTOCOL_IN.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def reply(ok, payload=b""):
    PROTOCOL_OUT.write(struct.pack("=BI", 1 if ok else 0, len(payload)) + payload)


def one_line(text):
    return " ".join(str(text).split())


class Peer:
    """The model of a SPEC and the atoms bound to it."""

    def __init__(self, spec):
        import torch
        self.torch = torch
        self.dtype = {"float32": torch.float32, "float64": torch.float64}[spec.get("dtype", "float64")]
        self.device = torch.device(spec.get("device", "cpu"))
        self.kind = spec["model"]
        if self.kind == "et-torchmd-net":
            self.model, desc = mlffb_peers.torchmdnet_et_from_export(spec["export"], self.dtype, self.device)
        elif self.kind == "tensornet":
            self.model, desc = mlffb_peers.torchmdnet_tensornet(spec.get("preset", "ani1x"), int(spec.get("seed", 42)),
                                                                self.dtype, self.device, int(spec.get("max_num_neighbors", 128)),
                                                                spec.get("overrides"))
        elif self.kind == "mlffb-export":
            self.model, desc = mlffb_peers.read_mlffb_export(spec["export"])
            self.model = self.model.to(dtype=self.dtype, device=self.device)
        else:
            raise ValueError(f"unknown model '{self.kind}' (et-torchmd-net, tensornet, mlffb-export)")
        self.description = dict(desc, torch=torch.__version__, threads=torch.get_num_threads(),
                                device=str(self.device), dtype=str(self.dtype).replace("torch.", ""))
        if self.kind != "mlffb-export":
            import torchmdnet
            self.description["torchmd_net"] = getattr(torchmdnet, "__version__", "3.x")
        self.numbers = None
        self.owned = None  # an int while bound to a subdomain

    def bind(self, numbers, owned=None):
        self.numbers = self.torch.tensor(numbers, dtype=self.torch.long, device=self.device)
        self.owned = owned

    def compute(self, want_forces, periodic, box, positions):
        """(energy, model seconds, forces as float64 bytes)."""
        torch = self.torch
        pos = torch.tensor(positions, dtype=self.dtype, device=self.device).reshape(-1, 3)
        cell = torch.tensor(box, dtype=self.dtype, device=self.device).reshape(3, 3) if periodic else None
        sync = torch.cuda.synchronize if self.device.type == "cuda" else (lambda: None)
        sync()
        start = time.perf_counter()
        energy, forces = self.evaluate(pos, cell, want_forces)
        sync()
        seconds = time.perf_counter() - start
        f = forces.detach().to("cpu", torch.float64).numpy().tobytes() if want_forces else b""
        return float(energy), seconds, f

    def evaluate(self, pos, cell, want_forces):
        if self.owned is not None:
            if cell is not None:
                raise ValueError("a subdomain has no box (its ghosts are explicit atoms)")
            return self.evaluate_owned(pos, want_forces)
        if self.kind != "mlffb-export":
            return mlffb_peers.torchmdnet_energy_forces(self.model, self.numbers, pos, cell, want_forces)
        # The export's nnpot forward takes nm and gives kJ/mol.
        torch = self.torch
        nm = (pos * 0.1).requires_grad_(want_forces)
        box = cell * 0.1 if cell is not None else torch.zeros(3, 3, dtype=pos.dtype, device=pos.device)
        pbc = torch.full((3,), cell is not None, dtype=torch.bool, device=pos.device)
        energy = self.model(nm, self.numbers, box, pbc)
        if not want_forces:
            return energy.detach(), None
        (grad,) = torch.autograd.grad(energy, nm)
        return energy.detach(), -grad * 0.1  # kJ/mol/nm → kJ/mol/Å


    def evaluate_owned(self, pos, want_forces):
        """The subdomain contract: the owned atoms' energies of the atoms as a cluster in vacuum,
        summed, and -gradient of that sum wrt every position (kJ/mol, kJ/mol/Å)."""
        torch = self.torch
        if self.kind == "mlffb-export":
            raise ValueError("subdomains are evaluated for TorchMD-Net's models (an export file has its own atomic_energies)")
        pos = pos.detach().requires_grad_(want_forces)
        with torch.set_grad_enabled(want_forces):
            energy = mlffb_peers.torchmdnet_atomic_energies(self.model, self.numbers, pos)[: self.owned].sum()
        if not want_forces:
            return energy.detach(), None
        (grad,) = torch.autograd.grad(energy, pos)
        return energy.detach(), -grad


def read_numbers(n):
    return np.frombuffer(read_exact(8 * n), dtype=np.int64)


def serve(peer):
    """Answers requests until the input ends."""
    timer = op_profile.OperatorTimer()
    while True:
        kind = read_exact(1)
        if kind is None:
            return
        if kind == b"S":
            (n,) = struct.unpack("=q", read_exact(8))
            numbers = read_numbers(n)
            try:
                peer.bind(numbers)
                reply(True)
            except Exception as e:  # one line back, naming the request
                reply(False, f"binding {n} atoms: {one_line(e)}".encode())
        elif kind == b"D":
            n, owned = struct.unpack("=qq", read_exact(16))
            numbers = read_numbers(n)
            try:
                peer.bind(numbers, owned)
                reply(True)
            except Exception as e:
                reply(False, f"binding a subdomain of {n} atoms: {one_line(e)}".encode())
        elif kind == b"C":
            want, periodic = struct.unpack("=BB", read_exact(2))
            box = np.frombuffer(read_exact(72), dtype=np.float64)
            n = 0 if peer.numbers is None else peer.numbers.numel()
            positions = np.frombuffer(read_exact(24 * n), dtype=np.float64)
            try:
                if peer.numbers is None:
                    raise ValueError("no atoms bound ('S' first)")
                energy, seconds, forces = peer.compute(bool(want), bool(periodic), box, positions)
                reply(True, struct.pack("=dd", energy, seconds) + forces)
            except Exception as e:
                where = "periodic" if periodic else "in vacuum"
                reply(False, f"computing {n} atoms {where}: {one_line(e)}".encode())
        elif kind == b"P":
            timer.begin()
            reply(True)
        elif kind == b"Q":
            try:
                ops = timer.end(peer.torch.finfo(peer.dtype).bits // 8)
                reply(True, json.dumps(ops).encode())
            except Exception as e:
                reply(False, f"ending the operator timing: {one_line(e)}".encode())
        else:
            reply(False, f"unknown request {kind!r}".encode())
            return


def main():
    try:
        spec = json.loads(sys.argv[1])
        peer = Peer(spec)
    except Exception as e:
        reply(False, f"setting up {sys.argv[1] if len(sys.argv) > 1 else 'no spec'}: {one_line(e)}".encode())
        return 1
    reply(True, json.dumps(peer.description).encode())
    serve(peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
