namespace PetSitter.Email.Cli.Diagnose;

/// <summary>The diagnose command's arguments as parsed, before they are checked.</summary>
internal sealed record DiagnoseRequest(
    string? Host,
    int? Port,
    string Security,
    string? UserName,
    string? PasswordEnv,
    string? From,
    FileInfo? CaFile,
    string? SendTest,
    bool Json,
    double TimeoutSeconds,
    bool Demo,
    string? Provider = null,
    string? AccessTokenEnv = null,
    IReadOnlyList<string>? DnsServers = null,
    bool NoDomainCheck = false);
