{
  "targets": [
    {
      "target_name": "tensor_native",
      "sources": ["addon.c", "blas.c", "fused.c", "matmul.c"],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldl"]
    }
  ]
}
