from django.urls import path

from . import views

urlpatterns = [
    path('', views.home),
    path('accounts/update', views.profile),
    path('bench/signup', views.signup),
    path('bench/login', views.login_view),
    path('bench/hash-params', views.hash_params),
    path('bench/versions', views.versions),
]
