{
  "targets": [
    {
      "target_name": "tsshark_pcap",
      "sources": ["src/capture/native/pcap_binding.cc", "src/capture/native/bpf_query.cc", "src/capture/native/nft_trace.cc", "src/capture/native/drop_probe.cc", "src/capture/native/netns.cc", "src/capture/native/sock_diag.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
      "libraries": ["-lpcap", "-ldl"]
    }
  ]
}
