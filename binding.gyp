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
        "-lpthread"
      ]
    }
  ]
}