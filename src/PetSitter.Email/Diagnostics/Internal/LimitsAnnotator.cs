namespace PetSitter.Email.Diagnostics;

/// <summary>The limits the library will hold this account to: its provider's preset with the account's own overrides.</summary>
internal sealed class LimitsAnnotator : IDiagnosticAnnotator
{
    public void Annotate(DiagnosticContext context)
    {
        var account = context.Account;
        var preset = account.ResolvePreset();
        var limits = account.EffectiveLimits();
        if (limits.IsUnlimited)
        {
            context.Findings.Note(DiagnosticCheck.SendLimits, preset is null || preset == ProviderPresets.Custom
                ? "No sending limits are known for this server: the library goes by the provider's own \"limit reached\" replies."
                : $"{preset.Name} publishes no sending limits: the library goes by its own \"limit reached\" replies.");
            return;
        }

        var source = preset is null || preset == ProviderPresets.Custom
            ? "the account's own limits"
            : account.Limits is { IsUnlimited: false }
                ? $"{preset.Name}'s limits with the account's overrides"
                : preset.IsVerified ? $"{preset.Name}'s published limits" : $"{preset.Name}'s limits (from third-party reports, not the provider)";
        context.Findings.Note(DiagnosticCheck.SendLimits, $"The library keeps this account within {source}: {limits}.");
    }
}
