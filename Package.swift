// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ChunkFerry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chunkferry", targets: ["ChunkFerryCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration", exact: "1.4.0",
                 traits: [.defaults, "YAML", "CommandLineArguments"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // Without its Foundation trait: the recorders need processes, not Foundation.
        .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2", traits: []),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // Frigate's MQTT events (libmosquitto: MQTT 3.1.1 and 5, TLS, its own network thread).
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        // copy_file_range and extended attributes, which glibc declares only under _GNU_SOURCE.
        .systemLibrary(name: "CLinux"),
        // glibc's malloc tuning (mallopt), which Glibc's module does not carry.
        .systemLibrary(name: "CMalloc"),
        // The commit a release was built from (scripts/build-release defines it), for --version.
        .systemLibrary(name: "CBuildInfo"),
        // The layers, each importing only those before it (scripts/check-layers holds them to it):
        // shared basics; the stores behind one protocol; the checkpoints in Redis; the pipeline
        // from a file written to a chunk confirmed; the cameras' recorders; the events
        // that say which footage matters; the daemon around them.
        .target(
            name: "ChunkFerrySupport",
            dependencies: ["CMalloc", .product(name: "Configuration", package: "swift-configuration")]
        ),
        .target(
            name: "ChunkFerryStorage",
            dependencies: ["ChunkFerrySupport", "CCurl", "COpenSSL", "CIsal", "CLinux"]
        ),
        .target(
            name: "ChunkFerryCheckpoint",
            dependencies: ["ChunkFerrySupport", "ChunkFerryStorage", "CHiredis"]
        ),
        .target(
            name: "ChunkFerryPipeline",
            dependencies: [
                "ChunkFerrySupport", "ChunkFerryStorage", "ChunkFerryCheckpoint", "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "ChunkFerryCameras",
            dependencies: [
                "ChunkFerrySupport", "ChunkFerryStorage", "ChunkFerryCheckpoint", "ChunkFerryPipeline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "ChunkFerryEvents",
            dependencies: [
                "ChunkFerrySupport", "ChunkFerryStorage", "ChunkFerryCheckpoint", "ChunkFerryPipeline", "ChunkFerryCameras", "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "ChunkFerryDaemon",
            dependencies: [
                "ChunkFerrySupport", "ChunkFerryStorage", "ChunkFerryCheckpoint", "ChunkFerryPipeline",
                "ChunkFerryCameras", "ChunkFerryEvents", "CBuildInfo",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // `chunkferry serve`: the store alone, browsed and played; it only reads.
        .target(
            name: "ChunkFerryViewer",
            dependencies: [
                "ChunkFerrySupport", "ChunkFerryStorage", "ChunkFerryPipeline", "ChunkFerryDaemon",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .executableTarget(
            name: "ChunkFerryCLI",
            dependencies: [
                "ChunkFerryDaemon", "ChunkFerryViewer", "ChunkFerryCameras", "ChunkFerryPipeline", "ChunkFerryCheckpoint", "ChunkFerrySupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ChunkFerryTests",
            dependencies: [
                "ChunkFerryDaemon", "ChunkFerryViewer", "ChunkFerryEvents", "ChunkFerryCameras", "ChunkFerryPipeline", "ChunkFerryCheckpoint", "ChunkFerryStorage",
                "ChunkFerrySupport", .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
