namespace PetSitter.Email.Tests.Secrets;

/// <summary>A secret found in a log: which logger, in which part of the entry, and the secret's name (never its value).</summary>
internal sealed record SecretFinding(string Category, string Part, string SecretName)
{
    public override string ToString() => $"{Category}: {Part} contains secret '{SecretName}'";
}
