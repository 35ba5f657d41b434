namespace PetSitter.Email.Cli.Demo;

/// <summary>The demo businesses' settings; the OAuth-connected ones join after the services are built.</summary>
internal sealed class DemoSettingsProvider(IReadOnlyList<DemoBusiness> businesses) : IBusinessEmailSettingsProvider
{
    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(businesses.FirstOrDefault(b => string.Equals(b.Id, businessId, StringComparison.Ordinal))?.Settings);
}
