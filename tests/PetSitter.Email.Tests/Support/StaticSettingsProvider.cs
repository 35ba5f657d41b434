namespace PetSitter.Email.Tests.Support;

internal sealed class StaticSettingsProvider : IBusinessEmailSettingsProvider
{
    private readonly Dictionary<string, BusinessEmailSettings> _settings;

    public StaticSettingsProvider(params BusinessEmailSettings[] settings) =>
        _settings = settings.ToDictionary(s => s.BusinessId);

    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_settings.GetValueOrDefault(businessId));
}
