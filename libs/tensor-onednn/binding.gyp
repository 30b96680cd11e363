{
  "targets": [
    {
      "target_name": "nasx_onednn",
      "sources": ["native/onednn.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fopenmp"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
