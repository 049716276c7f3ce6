{
  "targets": [
    {
      "target_name": "pivs_native",
      "sources": [
        "<!@(ls -1 native/*.cc)"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "cflags_cc!": [
        "-fno-exceptions",
        "-std=gnu++1y",
        "-std=gnu++17"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter"
      ],
      "libraries": [
        "-lpthread",
        "-ldl"
      ],
      "actions": [
        {
          "action_name": "pivs_xdp",
          "inputs": ["native/xdp/pivs_xdp.bpf.c"],
          "outputs": ["<(PRODUCT_DIR)/pivs_xdp.o"],
          "action": ["clang", "-O2", "-g", "-Wall", "-target", "bpf", "-I/usr/include/<!(gcc -print-multiarch)",
                     "-c", "<@(_inputs)", "-o", "<@(_outputs)"]
        }
      ]
    }
  ]
}