namespace PetSitter.Email.Cli.Demo;

internal sealed class DemoSettingsProvider(IReadOnlyList<DemoBusiness> businesses) : IBusinessEmailSettingsProvider
{
    private readonly Dictionary<string, BusinessEmailSettings> _settings = businesses.ToDictionary(b => b.Id, b => b.Settings, StringComparer.Ordinal);

    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_settings.GetValueOrDefault(businessId));
}
