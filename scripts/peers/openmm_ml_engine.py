"""openmm_ml_engine.py JOB.json: the openmm-ml engine's worker (backends/openmmml/OpenMMMLEngine).

The pipeline the characterisation study ran, on mlff-bench's system and MD protocol: OpenMM (PyPI)
with openmm-ml's MLPotential('ani2x') (TorchANI's ANI2x on mlff-bench's NeuroChem weights, set up
offline by mlffb_peers.cached_ani2x_data_dir).
  mlff  the system alone: MLPotential('ani2x').createSystem(topology)
  cml   the solute in TIP3P water (the input's own solvent, else OpenMM's Modeller.addSolvent with
        `padding_nm`), amber14 + TIP3P with PME, then createMixedSystem(topology, system, solute)
        (mechanical embedding).
md: L-BFGS minimisation, velocities at the temperature, warm-up and production with the job's
integrator; energies every trace interval (outside the timed chunks); then the ML force group is
evaluated alone over the configurations saved at the trace steps (the model's share of a step).
single-point: `warmup` + `repeat` evaluations of energy and forces on the input positions.
The result is one JSON file; a failure is one line 'openmm-ml engine: ...' on stderr and exit 1.
"""
import json
import math
import os
import sys
import time
from importlib import metadata
from pathlib import Path

ML_GROUP = 30          # force group of the forces openmm-ml adds
SHARE_SAMPLES = 10     # configurations at most for the model's share


def versions():
    """The packages of this pipeline, as installed."""
    out = {}
    for name in ("openmm", "openmmml", "openmmtorch", "torchani", "torch"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        out["nnpops"] = metadata.version("nnpops")
    except metadata.PackageNotFoundError:
        out["nnpops"] = None  # not on PyPI: openmm-ml's ANI then runs TorchANI's own code
    return out


def load_topology(job):
    """The input's topology (PDB written by the engine) with the job's exact positions and box (nm)."""
    from openmm import Vec3, app, unit
    pdb = app.PDBFile(job["pdb"])
    topology = pdb.topology
    positions = [Vec3(*x) * 0.1 for x in job["positions_angstrom"]] * unit.nanometer
    if job.get("box_nm"):
        topology.setPeriodicBoxVectors([Vec3(*v) for v in job["box_nm"]] * unit.nanometer)
    else:
        topology.setPeriodicBoxVectors(None)
    return topology, positions


FORCE_UNITS_FIX = None  # what fix_ani_force_units did, for the record


def fix_ani_force_units():
    """openmm-ml 1.8 adds ANI as a PythonForce whose function (anipotential._computeANI) returns
    -dE/dx with x in Å, i.e. kJ/mol/Å, without units; PythonForce takes unit-less forces as kJ/mol/nm,
    so the ML forces come out 10 times too small (finite differences of its own energy say so). The
    function is wrapped to give its forces the unit they have; everything else runs as openmm-ml has it."""
    global FORCE_UNITS_FIX
    from openmm import unit
    from openmmml.models import anipotential
    original = getattr(anipotential, "_computeANI", None)
    if original is None or metadata.version("openmmml") != "1.8":
        FORCE_UNITS_FIX = "none (not openmm-ml 1.8's PythonForce path)"
        return

    def compute_with_units(*args, **kwargs):
        energy, forces = original(*args, **kwargs)
        return energy, forces * (unit.kilojoule_per_mole / unit.angstrom)
    anipotential._computeANI = compute_with_units
    FORCE_UNITS_FIX = ("openmm-ml 1.8's _computeANI returns kJ/mol/Å forces where PythonForce reads kJ/mol/nm "
                       "(10x too small): the engine gives them their unit (kJ/mol/Å)")


def potential(job):
    """openmm-ml's MLPotential('ani2x') with TorchANI reading mlff-bench's weights."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import mlffb_peers
    mlffb_peers.cached_ani2x_data_dir(job["weights_dir"])
    from openmmml import MLPotential
    fix_ani_force_units()
    return MLPotential("ani2x")


def model_args(job):
    """createSystem/createMixedSystem arguments: the torch device and the ensemble member."""
    args = {"device": job["torch_device"]}
    if job.get("member") is not None:
        args["modelIndex"] = int(job["member"])
    return args


def mlff_system(job, topology, positions):
    """The whole system with ANI-2x, every force openmm-ml adds in ML_GROUP."""
    import openmm
    system = potential(job).createSystem(topology, **model_args(job))
    for force in system.getForces():
        if not isinstance(force, openmm.CMMotionRemover):
            force.setForceGroup(ML_GROUP)
    return system, topology, positions, list(range(topology.getNumAtoms()))


def cml_system(job, topology, positions):
    """Solute ANI-2x, water amber14 TIP3P (PME, the job's cut-off, rigid water), mechanical embedding."""
    from openmm import app, unit
    forcefield = app.ForceField("amber14-all.xml", "amber14/tip3p.xml")
    solute = list(job["solute_atoms"])
    if job["solvate"]:
        modeller = app.Modeller(topology, positions)
        modeller.addSolvent(forcefield, model="tip3p", padding=job["padding_nm"] * unit.nanometer)
        topology, positions = modeller.topology, modeller.positions  # the solute's atoms stay first
    classical = forcefield.createSystem(topology, nonbondedMethod=app.PME, nonbondedCutoff=job["cutoff_nm"] * unit.nanometer,
                                        constraints=None, rigidWater=True)
    system = potential(job).createMixedSystem(topology, classical, solute, forceGroup=ML_GROUP, **model_args(job))
    return system, topology, positions, solute


def make_context(job, system):
    """A Context on the job's platform (CPU: the job's threads), with the job's integrator."""
    import openmm
    md = job["md"]
    dt = md["dt_fs"] * 1e-3
    if md["integrator"] == "langevin":
        integrator = openmm.LangevinMiddleIntegrator(md["temperature_k"], md["friction_per_ps"], dt)
        integrator.setRandomNumberSeed(int(md["seed"]) % 2147483647)
    else:
        integrator = openmm.VerletIntegrator(dt)
    platform = openmm.Platform.getPlatformByName(job["platform"])
    properties = {"Threads": str(job["threads"])} if job["platform"] == "CPU" else {}
    return openmm.Context(system, integrator, platform, properties), integrator


def energies(context, groups=-1, forces=False):
    """(potential, kinetic) in kJ/mol, and the forces in kJ/mol/nm when asked."""
    from openmm import unit
    state = context.getState(getEnergy=True, getForces=forces, groups=groups)
    pot = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    kin = state.getKineticEnergy().value_in_unit(unit.kilojoule_per_mole)
    return pot, kin, (state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer) if forces else None)


def max_force_per_angstrom(forces):
    return float(max(math.sqrt(float(f[0]) ** 2 + float(f[1]) ** 2 + float(f[2]) ** 2) for f in forces)) * 0.1


def minimize(job, context):
    """OpenMM's L-BFGS with the job's tolerance (kJ/mol/Å → nm) and iteration limit (none when 0)."""
    import openmm
    md = job["md"]
    e0, _, _ = energies(context)
    if md["minimize_steps"] > 0:
        openmm.LocalEnergyMinimizer.minimize(context, md["minimize_tolerance"] * 10.0, md["minimize_steps"])
    e1, _, f1 = energies(context, forces=True)
    return {"initial_energy_kj_mol": e0, "final_energy_kj_mol": e1, "final_max_force": max_force_per_angstrom(f1),
            "iterations_limit": md["minimize_steps"]}


def state_steps(md):
    """The steps after which the state is read: every trace step, the end of warm-up, the last."""
    total = md["warmup_steps"] + md["steps"]
    marks = set(range(md["trace_every"], total + 1, md["trace_every"])) | {total}
    if md["warmup_steps"] > 0:
        marks.add(md["warmup_steps"])
    return sorted(marks)


def dynamics(job, context, integrator, dof):
    """Warm-up and production in chunks between state reads; only production chunks are timed.
    Stops at the first non-finite energy (the engine's recorder then reports the blow-up)."""
    md = job["md"]
    kb = 0.00831446261815324  # kJ/mol/K
    trace = {"step": [], "potential_kj_mol": [], "kinetic_kj_mol": [], "temperature_k": []}
    saved, production_s, done = [], 0.0, 0
    context.setVelocitiesToTemperature(md["temperature_k"], int(md["seed"]) % 2147483647)
    for mark in state_steps(md):
        start = time.perf_counter()
        integrator.step(mark - done)
        elapsed = time.perf_counter() - start
        if done >= md["warmup_steps"]:
            production_s += elapsed
        done = mark
        pot, kin, _ = energies(context)
        for key, value in zip(trace, (mark, pot, kin, 2.0 * kin / (dof * kb))):
            trace[key].append(value)
        if not (math.isfinite(pot) and math.isfinite(kin)):
            break
        if mark > md["warmup_steps"] and mark % md["trace_every"] == 0:
            saved.append(context.getState(getPositions=True).getPositions(asNumpy=True))
    timing = {"production_s": production_s, "ms_per_step": 1e3 * production_s / md["steps"]}
    return trace, timing, saved


def timed_evaluations(context, configurations, groups):
    """Median ms of one energy + forces evaluation of `groups` over the configurations."""
    times = []
    for positions in configurations:
        context.setPositions(positions)
        start = time.perf_counter()
        context.getState(getEnergy=True, getForces=True, groups=groups)
        times.append(1e3 * (time.perf_counter() - start))
    times.sort()
    return times[len(times) // 2]


def model_share(context, configurations, ms_per_step):
    """The ML force group alone and every group, each evaluated over the same saved configurations."""
    picked = configurations[:: max(1, len(configurations) // SHARE_SAMPLES)][:SHARE_SAMPLES]
    if not picked:
        return None
    timed_evaluations(context, picked[:1], {ML_GROUP})  # the first evaluation after setPositions warms caches
    ml_ms = timed_evaluations(context, picked, {ML_GROUP})
    all_ms = timed_evaluations(context, picked, -1)
    return {"ml_force_ms": ml_ms, "all_forces_ms": all_ms, "ms_per_step": ms_per_step,
            "share_of_step": ml_ms / ms_per_step, "share_of_force_evaluation": ml_ms / all_ms,
            "configurations": len(picked),
            "how": "median wall time of Context.getState(energy, forces) for the ML force group alone and for all groups, "
                   "over configurations saved at the production trace steps (setPositions first, untimed)"}


def single_point(job, context):
    """`warmup` + `repeat` evaluations of energy and forces; the last energy and each timed ms."""
    times, energy, forces = [], None, None
    for k in range(job["warmup"] + job["repeat"]):
        start = time.perf_counter()
        energy, _, forces = energies(context, forces=True)
        if k >= job["warmup"]:
            times.append(1e3 * (time.perf_counter() - start))
    return {"energy_kj_mol": energy, "evaluation_ms": times,
            "forces_kj_mol_angstrom": [[float(c) * 0.1 for c in f] for f in forces]}


def describe(job, system, topology, context, ml_atoms):
    """What ran: versions, platform, atoms, box, forces by group."""
    import openmm
    import torch
    from openmm import unit
    platform = context.getPlatform()
    box = topology.getPeriodicBoxVectors()
    waters = sum(1 for r in topology.residues() if r.name in ("HOH", "WAT"))
    return {"versions": versions(), "platform": platform.getName(),
            "platform_properties": {n: platform.getPropertyValue(context, n) for n in platform.getPropertyNames()},
            "torch_device": job["torch_device"], "torch_threads": torch.get_num_threads(),
            "atoms": system.getNumParticles(), "ml_atoms": len(ml_atoms),
            "solvent_atoms": sum(1 for a in topology.atoms() if a.residue.name in ("HOH", "WAT")), "waters": waters,
            "box_nm": [[v.x, v.y, v.z] for v in box.value_in_unit(unit.nanometer)] if box is not None else None,
            "constraints": system.getNumConstraints(),
            "forces": [{"name": type(f).__name__, "group": f.getForceGroup()} for f in system.getForces()],
            "ml_force": [type(f).__name__ for f in system.getForces() if f.getForceGroup() == ML_GROUP],
            "ml_force_units_fix": FORCE_UNITS_FIX,
            "plugins_loaded": sorted(Path(p).name for p in openmm.pluginLoadedLibNames)}


def run(job):
    import openmm
    import torch
    torch.set_num_threads(job["threads"])
    phases, start = {}, time.perf_counter()

    def phase(name):  # wall seconds of each part of the run, for the record
        nonlocal start
        phases[name] = time.perf_counter() - start
        start = time.perf_counter()
    topology, positions = load_topology(job)
    build = mlff_system if job["configuration"] == "mlff" else cml_system
    system, topology, positions, ml_atoms = build(job, topology, positions)
    context, integrator = make_context(job, system)
    context.setPositions(positions)
    phase("setup")
    result = {}
    if job["mode"] == "single-point":
        result["single_point"] = single_point(job, context)
    else:
        result["minimization"] = minimize(job, context)
        phase("minimize")
        cm = any(isinstance(f, openmm.CMMotionRemover) for f in system.getForces())
        dof = max(1, 3 * system.getNumParticles() - system.getNumConstraints() - (3 if cm else 0))
        result["trace"], result["timing"], saved = dynamics(job, context, integrator, dof)
        phase("dynamics")
        result["model_share"] = model_share(context, saved, result["timing"]["ms_per_step"])
        phase("model_share")
    result["openmm_ml"] = describe(job, system, topology, context, ml_atoms)
    result["openmm_ml"]["phases_s"] = phases
    return result


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: openmm_ml_engine.py JOB.json")
    try:
        job = json.loads(Path(sys.argv[1]).read_text())
        result = run(job)
        out = Path(job["result"])
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(result))
        os.replace(tmp, out)
    except Exception as e:  # one line for the engine's error record; the traceback stays in the log
        import traceback
        traceback.print_exc()
        print(f"openmm-ml engine: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
