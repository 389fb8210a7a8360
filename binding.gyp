{
  "targets": [
    {
      "target_name": "modescope_kernels_avx2",
      "type": "static_library",
      "sources": [
        "src-main/engine/native/kernels_avx2.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fPIC",
        "-fno-trapping-math"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": [
          "-std=c++17",
          "-O3",
          "-fno-trapping-math"
        ]
      },
      "msvs_settings": {
        "VCCLCompilerTool": {
          "AdditionalOptions": [
            "/std:c++17",
            "/arch:AVX2"
          ]
        }
      },
      "conditions": [
        [
          "target_arch=='x64'",
          {
            "cflags_cc": [
              "-mavx2",
              "-mfma"
            ],
            "xcode_settings": {
              "OTHER_CPLUSPLUSFLAGS": [
                "-mavx2",
                "-mfma"
              ]
            }
          }
        ]
      ]
    },
    {
      "target_name": "modescope_kernels",
      "dependencies": [
        "modescope_kernels_avx2"
      ],
      "sources": [
        "src-main/engine/native/addon.cc",
        "src-main/engine/native/cpu_features.cc",
        "src-main/engine/native/kernels_portable.cc",
        "src-main/engine/native/scratch_memory.cc",
        "src-main/engine/native/thread_pool.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fno-trapping-math",
        "-pthread",
        "-Wno-psabi"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "ldflags": [
        "-pthread"
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": [
          "-O3"
        ]
      },
      "msvs_settings": {
        "VCCLCompilerTool": {
          "ExceptionHandling": 1,
          "AdditionalOptions": [
            "/std:c++17"
          ]
        }
      }
    }
  ]
}
