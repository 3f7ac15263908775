fn main() -> std::process::ExitCode {
    gate::cli::main().into()
}
