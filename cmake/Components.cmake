# Optional components: each MLFFB_WITH_X defaults to whether X was found, and the
# configure step prints what is on and, for what is off, why.

set(MLFFB_COMPONENT_NAMES "")

function(mlffb_component name found reason)
  option(MLFFB_WITH_${name} "Build with ${name}" ${found})
  if(MLFFB_WITH_${name} AND NOT ${found})
    message(FATAL_ERROR "MLFFB_WITH_${name}=ON but ${name} was not found: ${reason}")
  endif()
  if(MLFFB_WITH_${name})
    set(MLFFB_REASON_${name} "found" PARENT_SCOPE)
  elseif(${found})
    set(MLFFB_REASON_${name} "disabled by MLFFB_WITH_${name}=OFF" PARENT_SCOPE)
  else()
    set(MLFFB_REASON_${name} "${reason}" PARENT_SCOPE)
  endif()
  set(MLFFB_COMPONENT_NAMES ${MLFFB_COMPONENT_NAMES} ${name} PARENT_SCOPE)
endfunction()

macro(mlffb_detect_components)
  # CUDA toolkit (present on build machines even without a GPU).
  if(NOT DEFINED CUDAToolkit_ROOT AND EXISTS /usr/local/cuda)
    set(CUDAToolkit_ROOT /usr/local/cuda)
  endif()
  find_package(CUDAToolkit QUIET)
  mlffb_component(CUDA "${CUDAToolkit_FOUND}" "CUDA toolkit not found (set CUDAToolkit_ROOT)")
  if(MLFFB_WITH_CUDA)
    # CUDA code is compiled wherever the toolkit is, GPU or not. Architectures follow the toolkit:
    # Volta (sm_70) only before CUDA 13, which dropped it.
    if(NOT DEFINED CMAKE_CUDA_COMPILER)
      set(CMAKE_CUDA_COMPILER ${CUDAToolkit_NVCC_EXECUTABLE})
    endif()
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      if(CUDAToolkit_VERSION VERSION_LESS 13.0)
        set(CMAKE_CUDA_ARCHITECTURES 70 80 90)
      else()
        set(CMAKE_CUDA_ARCHITECTURES 80 90)
      endif()
    endif()
    enable_language(CUDA)
    # C++20 device code. CMake 3.25 (Debian 12's) knows nvcc's dialects only up to C++17; nvcc 12+
    # takes -std=c++20, so the flag is named here.
    if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION OR CMAKE_CUDA20_STANDARD_COMPILE_OPTION STREQUAL "")
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
      list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  endif()

  set(_cupti_found OFF)
  if(MLFFB_WITH_CUDA AND TARGET CUDA::cupti)
    set(_cupti_found ON)
  endif()
  mlffb_component(CUPTI "${_cupti_found}" "CUPTI not found in the CUDA toolkit")

  # BLAS (OpenBLAS preferred) and OpenMP are required by the native flavours.
  set(BLA_VENDOR OpenBLAS)
  find_package(BLAS QUIET)
  if(NOT BLAS_FOUND)
    unset(BLA_VENDOR)
    find_package(BLAS REQUIRED)
  endif()
  find_package(OpenMP QUIET COMPONENTS CXX)
  set(_omp_found OFF)
  if(OpenMP_CXX_FOUND)
    set(_omp_found ON)
  endif()
  mlffb_component(OPENMP "${_omp_found}" "OpenMP not found")
  find_package(BZip2 REQUIRED)

  # LibTorch: the one inside the torch wheel of the project's Python environment (.venv, made by
  # scripts/setup.sh: the version the GPU nodes have, built with CUDA), else any other PyTorch
  # installation (-DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)'))
  # or Debian's CPU-only libtorch-dev.
  file(GLOB _venv_torch "${CMAKE_SOURCE_DIR}/.venv/lib/python3*/site-packages/torch/share/cmake")
  if(_venv_torch)
    list(PREPEND CMAKE_PREFIX_PATH ${_venv_torch})
    # TorchConfig finds libtorch.so and libc10.so with find_library(... PATHS <torch>/lib), which
    # looks in the system's folders first: where Debian's libtorch-dev is installed it would link
    # Debian's 1.13 beside the wheel's headers. The wheel's lib folder is searched first, and a
    # build folder configured before .venv existed forgets what it found then.
    get_filename_component(_venv_torch_lib "${_venv_torch}/../../lib" ABSOLUTE)
    list(PREPEND CMAKE_LIBRARY_PATH "${_venv_torch_lib}")
    foreach(_var Torch_DIR Caffe2_DIR TORCH_LIBRARY c10_LIBRARY kineto_LIBRARY C10_CUDA_LIBRARY CAFFE2_NVRTC_LIBRARY)
      if(DEFINED ${_var} AND NOT "${${_var}}" MATCHES "^${CMAKE_SOURCE_DIR}/.venv/")
        unset(${_var} CACHE)
      endif()
    endforeach()
  endif()
  # PyPI's LibTorch is built with CUDA: its CMake package asks nvcc for the GPUs present (a test
  # program that cannot run without one) unless it is told the architectures: ours.
  # Without CUDA of ours (-DMLFFB_WITH_CUDA=OFF) the wheel's CMake still configures its CUDA part:
  # it gets the architectures our CUDA code would have (sm_80, sm_90).
  if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
    set(_torch_archs "")
    set(_archs "${CMAKE_CUDA_ARCHITECTURES}")
    if(NOT MLFFB_WITH_CUDA OR NOT _archs)
      set(_archs 80 90)
    endif()
    foreach(_arch IN LISTS _archs)
      if(_arch MATCHES "^([0-9]+)([0-9])(-real|-virtual)?$")
        list(APPEND _torch_archs "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
      endif()
    endforeach()
    if(_torch_archs)  # (native, all: torch's CMake asks for itself)
      set(TORCH_CUDA_ARCH_LIST "${_torch_archs}")
    endif()
  endif()
  # A build told -DMLFFB_WITH_TORCH=OFF (the sanitizer build) does not look for it at all.
  if(NOT DEFINED MLFFB_WITH_TORCH OR MLFFB_WITH_TORCH)
    find_package(Torch QUIET)
  endif()
  set(_torch_found OFF)
  if(Torch_FOUND OR TORCH_FOUND)
    set(_torch_found ON)
  endif()
  set(_torch_reason "LibTorch not found (scripts/setup.sh makes .venv with PyPI's torch, or point CMAKE_PREFIX_PATH at torch.utils.cmake_prefix_path)")
  if(DEFINED MLFFB_WITH_TORCH AND NOT MLFFB_WITH_TORCH)
    set(_torch_reason "disabled by MLFFB_WITH_TORCH=OFF (not looked for)")
  endif()
  mlffb_component(TORCH "${_torch_found}" "${_torch_reason}")
  # PyPI's libtorch.so exports its own (older) copy of libstdc++'s std::filesystem; a program whose
  # libtorch.so comes before libstdc++.so.6 in its NEEDED list binds std::filesystem::remove_all to
  # that copy, which calls into libstdc++'s directory iterator and jumps to address 0 (ScratchDir's
  # destructor, so pythonHasModules and every work folder). libstdc++ first restores the lookup.
  if(MLFFB_WITH_TORCH)
    add_link_options("LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state")
  endif()
  # A LibTorch built with CUDA (PyTorch's) links torch_cuda; Debian's CPU build does not.
  set(MLFFB_TORCH_CUDA OFF)
  if(MLFFB_WITH_TORCH AND (TARGET torch_cuda OR TORCH_CUDA_LIBRARIES))
    set(MLFFB_TORCH_CUDA ON)
  endif()
  # PyPI's libtorch.so exports a copy of std::filesystem of its own; listed before libstdc++ in a
  # program's DT_NEEDED it takes our calls, and its remove_all(path, error_code) jumps to address 0
  # (every ScratchDir's destructor: `run`, pythonHasModules). Our programs name libstdc++ first.
  if(MLFFB_WITH_TORCH)
    add_link_options("LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state")
  endif()
  # PyPI's torch loads the CUDA libraries of its nvidia-* wheels (site-packages/nvidia/cu13/lib:
  # cuBLAS 13.1 beside the toolkit's 13.0 here). One copy of each in a process: our programs look
  # there first, so cuBLAS and cuBLASLt (and cudart, CUPTI) come from the same release.
  if(MLFFB_TORCH_CUDA)
    get_filename_component(_torch_site "${TORCH_INSTALL_PREFIX}/.." ABSOLUTE)
    if(IS_DIRECTORY "${_torch_site}/nvidia/cu13/lib")
      set(CMAKE_BUILD_RPATH "${_torch_site}/nvidia/cu13/lib")
      message(STATUS "mlff-bench: CUDA libraries from ${_torch_site}/nvidia/cu13/lib first (torch's)")
    endif()
  endif()

  # OpenMM: Debian's libopenmm-dev ships headers and libOpenMM.so but no CMake package; the
  # platform plugins (CPU, OpenCL) are loaded at run time from its plugin folder.
  find_path(MLFFB_OPENMM_INCLUDE_DIR OpenMM.h PATH_SUFFIXES openmm/.. HINTS $ENV{OPENMM_HOME}/include)
  find_library(MLFFB_OPENMM_LIBRARY OpenMM HINTS $ENV{OPENMM_HOME}/lib)
  set(_openmm_found OFF)
  if(MLFFB_OPENMM_INCLUDE_DIR AND MLFFB_OPENMM_LIBRARY AND EXISTS ${MLFFB_OPENMM_INCLUDE_DIR}/openmm/reference/ReferencePlatform.h)
    set(_openmm_found ON)
  endif()
  mlffb_component(OPENMM "${_openmm_found}" "OpenMM development files not found (apt-get install libopenmm-dev libopenmm-plugins)")
  if(MLFFB_WITH_OPENMM AND NOT TARGET mlffb::openmm)
    add_library(mlffb::openmm INTERFACE IMPORTED)
    set_target_properties(mlffb::openmm PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${MLFFB_OPENMM_INCLUDE_DIR}
                                                   INTERFACE_LINK_LIBRARIES ${MLFFB_OPENMM_LIBRARY})
  endif()

  # GROMACS is not a build component: the gromacs engine finds gmx at run time (`mlff-bench list`
  # shows the engine available or why not).

  # LAMMPS: Debian's liblammps-dev (LAMMPS 20220106 with its CMake package and OpenMPI). The
  # lammps engine links it into its own driver program, started under mpirun.
  find_package(MPI QUIET COMPONENTS CXX)
  find_package(LAMMPS CONFIG QUIET)
  find_package(fmt QUIET)
  find_program(MLFFB_MPIRUN_EXECUTABLE NAMES mpirun mpiexec)
  set(_lammps_found OFF)
  if(TARGET LAMMPS::lammps AND MPI_CXX_FOUND AND fmt_FOUND AND MLFFB_MPIRUN_EXECUTABLE)
    set(_lammps_found ON)
  endif()
  mlffb_component(LAMMPS "${_lammps_found}" "LAMMPS library, MPI, fmt or mpirun not found (apt-get install liblammps-dev openmpi-bin libopenmpi-dev libfmt-dev)")

  find_package(GTest QUIET)
  find_package(benchmark QUIET)
endmacro()

function(mlffb_print_summary)
  message(STATUS "")
  message(STATUS "mlff-bench ${PROJECT_VERSION} (${CMAKE_BUILD_TYPE}) optional components:")
  foreach(name IN LISTS MLFFB_COMPONENT_NAMES)
    if(MLFFB_WITH_${name})
      message(STATUS "  ${name}: ON")
    else()
      message(STATUS "  ${name}: OFF (${MLFFB_REASON_${name}})")
    endif()
  endforeach()
  message(STATUS "")
endfunction()

# A string "NAME=ON|OFF:reason;..." compiled into the binary so `mlff-bench list` can say why.
function(mlffb_component_string out)
  set(s "")
  foreach(name IN LISTS MLFFB_COMPONENT_NAMES)
    if(MLFFB_WITH_${name})
      string(APPEND s "${name}|1|found\\n")
    else()
      string(APPEND s "${name}|0|${MLFFB_REASON_${name}}\\n")
    endif()
  endforeach()
  set(${out} "${s}" PARENT_SCOPE)
endfunction()
